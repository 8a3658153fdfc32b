// Log lines on their way to stdout, handed on about 4 KiB at a time. sonic-boom's own buffering
// (`minLength`) works out the byte length of everything it holds on every write: on the webhook's
// hot path, with a line per decision, that cost more than writing the line (`npm run bench --
// webhook`: about 3 µs of server CPU per request). Here a line is pushed onto an array, and
// sonic-boom gets one joined string per batch, which it writes at once.
import type { DestinationStream } from 'pino';

/** Where batches go: a sonic-boom destination (pino.destination) that writes synchronously. */
export interface LineTarget {
  write(chunk: string): unknown;
  flush?(callback: (error?: Error) => void): void;
}

export interface BatchedLinesOptions {
  /** A batch is handed on once it holds this many characters. Default 4096. */
  maxChars?: number;
  /** ...or at most this long after its first line, when traffic is light. Default 200 ms. */
  maxDelayMs?: number;
}

export class BatchedLines implements DestinationStream {
  private lines: string[] = [];
  private chars = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxChars: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly target: LineTarget,
    options: BatchedLinesOptions = {},
  ) {
    this.maxChars = options.maxChars ?? 4096;
    this.maxDelayMs = options.maxDelayMs ?? 200;
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.maxChars) {
      this.drain();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.drain(), this.maxDelayMs);
      // A quiet log never keeps the process alive; what is pending at exit is drained by the exit hook.
      this.timer.unref();
    }
  }

  /** Hands every pending line to the target now, in order. */
  drain(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.lines.length === 0) return;
    const chunk = this.lines.length === 1 ? (this.lines[0] ?? '') : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.target.write(chunk);
  }

  /** pino's `logger.flush(callback)`: drain, then let the target finish its own write. */
  flush(callback: (error?: Error) => void = () => {}): void {
    this.drain();
    if (this.target.flush) this.target.flush(callback);
    else callback();
  }
}
