// A one-line progress indicator for a terminal: how many objects of which kind have been listed. The
// CLI shows it on stderr, and only when stderr is a TTY, so that pipes and CI logs stay clean.
import type { Writable } from 'node:stream';
import type { AuditProgress } from './audit-cluster.js';

export interface ProgressLine {
  update(progress: AuditProgress): void;
  /** Clears the line. */
  done(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

export function progressLine(stream: Writable, options: { intervalMs?: number; now?: () => number } = {}): ProgressLine {
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? (() => performance.now());
  let last = -Infinity;
  let shown = false;
  return {
    update(progress) {
      const time = now();
      if (time - last < intervalMs) return;
      last = time;
      shown = true;
      const of = progress.remaining !== undefined ? ` of ~${(progress.listed + progress.remaining).toLocaleString('en-US')}` : '';
      stream.write(`${CLEAR_LINE}Listing ${progress.resource}: ${progress.listed.toLocaleString('en-US')}${of} (${progress.total.toLocaleString('en-US')} objects so far)`);
    },
    done() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
