// The one log line per decision, on the hot path: written as pino writes a line with its default
// options (`{"level":30,"time":…,<bindings>,…fields,"msg":"…"}`), but serialised in one JSON.stringify
// call instead of pino's per-key work, which costs about twice as much. Any other line goes through
// pino as usual. The fields are chosen by the caller and never include the object under review.
import { pino, type Logger } from 'pino';

const LEVELS = { info: 30, warn: 40 } as const;

interface PinoInternals {
  [pino.symbols.streamSym]?: { write(line: string): unknown };
  [pino.symbols.chindingsSym]?: string;
}

type DecisionWriter = (level: keyof typeof LEVELS, fields: Record<string, unknown>, msg: string) => void;

export function decisionWriter(logger: Logger): DecisionWriter {
  const internals = logger as unknown as PinoInternals;
  const stream = internals[pino.symbols.streamSym];
  const bindings = internals[pino.symbols.chindingsSym] ?? '';
  const quoted = new Map<string, string>();
  return function writeDecision(level, fields, msg) {
    if (!logger.isLevelEnabled(level)) return;
    if (!stream) {
      logger[level](fields, msg);
      return;
    }
    let message = quoted.get(msg);
    if (message === undefined) {
      message = JSON.stringify(msg);
      quoted.set(msg, message);
    }
    const body = JSON.stringify(fields);
    stream.write(`{"level":${LEVELS[level]},"time":${Date.now()}${bindings}${body.length > 2 ? `,${body.slice(1, -1)}` : ''},"msg":${message}}\n`);
  };
}
