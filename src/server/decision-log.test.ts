// The decision line is written by hand for speed; it must stay byte for byte what pino would write,
// or log pipelines that parse pino's format would see two formats.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino, type LoggerOptions } from 'pino';
import { decisionWriter } from './decision-log.js';

function collectingLogger(options: LoggerOptions) {
  const lines: string[] = [];
  const logger = pino(options, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

const FIELDS = {
  webhook: 'validate',
  uid: 'b1e4…',
  kind: 'Pod',
  namespace: 'team-a',
  name: 'web "quoted" \n name',
  operation: 'CREATE',
  user: 'system:serviceaccount:kube-system:replicaset-controller',
  dryRun: undefined,
  decision: 'denied',
  reason: 'denied by pod-security/privileged',
  rules: ['pod-security'],
  hits: ['pod-security/privileged:enforce'],
  durationMs: 0.042,
};

describe('decisionWriter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['as serve configures pino (no base fields)', { level: 'info', base: null }],
    ["with pino's default base fields (pid, hostname)", { level: 'info' }],
    ['with a child binding', { level: 'info', base: null }],
  ] as const)('writes exactly the line pino writes, %s', (name, options) => {
    vi.useFakeTimers({ now: new Date('2026-11-23T20:00:00Z') });
    const root = collectingLogger({ ...options });
    const logger = name.includes('child') ? root.logger.child({ replica: 'policygate-0' }) : root.logger;
    for (const level of ['info', 'warn'] as const) {
      decisionWriter(logger)(level, FIELDS, 'admission decision');
      logger[level](FIELDS, 'admission decision');
    }
    const [ours, pinos, oursWarn, pinosWarn] = root.lines;
    expect(ours).toBe(pinos);
    expect(oursWarn).toBe(pinosWarn);
    expect(JSON.parse(ours ?? '')).toMatchObject({ level: 30, time: Date.parse('2026-11-23T20:00:00Z'), name: FIELDS.name, msg: 'admission decision' });
  });

  it('writes nothing below the logger level', () => {
    const { logger, lines } = collectingLogger({ level: 'warn', base: null });
    decisionWriter(logger)('info', FIELDS, 'admission decision');
    expect(lines).toEqual([]);
  });
});
