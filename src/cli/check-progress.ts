// Progress of a long `check` on a terminal: after a couple of seconds, one line on stderr saying how far
// it is, rewritten in place and cleared at the end. Nothing when stderr is not a terminal (CI logs and
// pipes stay clean), and nothing for a run that ends before anyone would wonder.
import type { Writable } from 'node:stream';
import type { CheckProgress } from '../manifests/index.js';

const CLEAR_LINE = '\r\u001b[2K';
/** Runs shorter than this show nothing. */
const SHOW_AFTER_MS = 2000;
const EVERY_MS = 200;

export interface ProgressDisplay {
  update(progress: CheckProgress): void;
  done(): void;
}

function megabytes(characters: number): string {
  return `${(characters / 1_000_000).toFixed(1)} MB`;
}

export function progressDisplay(stream: Writable, options: { now?: () => number; totalCharacters?: number } = {}): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const start = now();
  let last = -Infinity;
  let shown = false;
  return {
    update(progress) {
      const time = now();
      if (time - start < SHOW_AFTER_MS || time - last < EVERY_MS) return;
      last = time;
      shown = true;
      const of = options.totalCharacters !== undefined ? ` of ${megabytes(options.totalCharacters)}` : '';
      stream.write(`${CLEAR_LINE}Checked ${progress.objects.toLocaleString('en-US')} objects, ${megabytes(progress.read)}${of} read…`);
    },
    done() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
