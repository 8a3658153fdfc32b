import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobs } from './glob.js';

describe('compileGlob', () => {
  it.each([
    ['monitoring', 'monitoring', true],
    ['monitoring', 'monitoring-2', false],
    ['node-agent*', 'node-agent', true],
    ['node-agent*', 'node-agent-7f9c', true],
    ['node-agent*', 'my-node-agent', false],
    ['*-agent', 'node-agent', true],
    ['*-agent', 'node-agent-x', false],
    ['team-*-prod', 'team-a-prod', true],
    ['team-*-prod', 'team--prod', true],
    ['team-*-prod', 'team-prod', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*a*b*', 'xxaxxbxx', true],
    ['*a*b*', 'xxbxxaxx', false],
    ['registry.example.com/agent:*', 'registry.example.com/agent:5.1', true],
    ['registry.example.com/agent:*', 'registry.example.com/agent@sha256:ab', false],
    ['*', '', true],
    ['**', 'anything', true],
    ['a.b', 'axb', false],
  ])('%s matches %j: %s', (glob, text, expected) => {
    expect(compileGlob(glob)(text)).toBe(expected);
  });

  it('matches a long hostile text quickly: no backtracking', () => {
    const text = `${'a'.repeat(200_000)}c`;
    const started = performance.now();
    expect(compileGlob('*a*a*a*a*a*a*a*a*b')(text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('compileGlobs', () => {
  it('matches when any glob does', () => {
    const matches = compileGlobs(['monitoring', 'team-*']);
    expect(['monitoring', 'team-a', 'default'].map(matches)).toEqual([true, true, false]);
  });
});
