import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { remainingTimeoutMs } from '../../src/server/routes/admission.js';

const request = (timeout: unknown) => ({ query: timeout === undefined ? {} : { timeout } }) as unknown as FastifyRequest;

describe('remainingTimeoutMs: what is left of the API server\'s ?timeout=', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1m', 60_000],
    ['2.5s', 2_500],
  ])('reads %s', (timeout, expected) => {
    const left = remainingTimeoutMs(request(timeout), performance.now());
    expect(left).toBeGreaterThan(expected - 50);
    expect(left).toBeLessThanOrEqual(expected);
  });

  it('subtracts the time already spent, never below zero', () => {
    expect(remainingTimeoutMs(request('1s'), performance.now() - 400)).toBeLessThanOrEqual(600);
    expect(remainingTimeoutMs(request('1s'), performance.now() - 5_000)).toBe(0);
  });

  it.each([undefined, '', '10', 'ten seconds', ['10s']])('is undefined for %j', (timeout) => {
    expect(remainingTimeoutMs(request(timeout), performance.now())).toBeUndefined();
  });
});
