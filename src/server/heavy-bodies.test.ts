import { describe, expect, it } from 'vitest';
import { HeavyBodies } from './heavy-bodies.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('HeavyBodies', () => {
  it('runs one heavy body per turn of the event loop, in arrival order, with other work between', async () => {
    const heavy = new HeavyBodies();
    const ran: string[] = [];
    heavy.inTurn(() => ran.push('first'));
    heavy.inTurn(() => ran.push('second'));
    heavy.inTurn(() => ran.push('third'));
    expect(ran).toEqual([]);
    // An ordinary request's callback, arriving while the heavy ones wait, runs between two of them.
    setImmediate(() => ran.push('ordinary'));
    await turn();
    await turn();
    await turn();
    await turn();
    expect(ran).toEqual(['first', 'ordinary', 'second', 'third']);
  });

  it('keeps going after a task that throws', async () => {
    const heavy = new HeavyBodies();
    const ran: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      heavy.inTurn(() => {
        throw new Error('boom');
      });
      heavy.inTurn(() => ran.push('after'));
      await turn();
      await turn();
      await turn();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(ran).toEqual(['after']);
    expect(uncaught).toEqual([new Error('boom')]);
  });

  it('holds bytes up to its cap, refuses what would pass it, and gets them back', () => {
    const heavy = new HeavyBodies(1_000);
    expect(heavy.hold(600)).toBe(true);
    expect(heavy.hold(500)).toBe(false);
    expect(heavy.held).toBe(600);
    heavy.release(600);
    expect(heavy.hold(1_000)).toBe(true);
  });
});
