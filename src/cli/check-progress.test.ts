import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressDisplay } from './check-progress.js';

function terminal() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('progressDisplay', () => {
  it('stays silent for the first two seconds, then rewrites one line at most every 200 ms, and clears it', () => {
    let now = 0;
    const { stream, text } = terminal();
    const progress = progressDisplay(stream, { now: () => now, totalCharacters: 20_000_000 });
    now = 1999;
    progress.update({ objects: 5000, read: 1_000_000 });
    expect(text()).toBe('');
    now = 2500;
    progress.update({ objects: 60_000, read: 10_400_000 });
    now = 2600;
    progress.update({ objects: 61_000, read: 10_500_000 });
    now = 2800;
    progress.update({ objects: 70_000, read: 12_000_000 });
    progress.done();
    expect(text()).toBe(
      '\r\u001b[2KChecked 60,000 objects, 10.4 MB of 20.0 MB read…' + '\r\u001b[2KChecked 70,000 objects, 12.0 MB of 20.0 MB read…' + '\r\u001b[2K',
    );
  });

  it('clears nothing when it showed nothing', () => {
    const { stream, text } = terminal();
    const progress = progressDisplay(stream, { now: () => 0 });
    progress.update({ objects: 1, read: 1 });
    progress.done();
    expect(text()).toBe('');
  });
});
