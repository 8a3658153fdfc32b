import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { dnsLabel, namespaceName, portNumber, wholeNumber } from './parse-args.js';

describe('wholeNumber', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['007', 7],
    ['65535', 65535],
  ])('takes %j as %i', (value, expected) => {
    expect(wholeNumber('n', value, { min: 0 })).toBe(expected);
  });

  it.each(['', ' ', ' 7', '7 ', '+7', '-1', '7.0', '7.5', '1e3', '0x10', '0b1', '0o7', 'Infinity', 'NaN', '١٢', '9007199254740992'])('refuses %j', (value) => {
    expect(() => wholeNumber('n', value, { min: 0 })).toThrow(InputError);
  });

  it('says the range it wants', () => {
    expect(() => wholeNumber('days', '0', { min: 1, max: 10 })).toThrow('--days must be a whole number from 1 to 10 (got "0")');
    expect(() => wholeNumber('days', '11', { min: 1, max: 10 })).toThrow('--days must be a whole number from 1 to 10 (got "11")');
    expect(() => wholeNumber('page-size', '0', { min: 1 })).toThrow('--page-size must be a whole number of at least 1 (got "0")');
    expect(() => wholeNumber('max-objects', 'x', { min: 0 })).toThrow('--max-objects must be a whole number (got "x")');
    expect(() => wholeNumber('port', '', { min: 0, max: 65535, what: 'a port number 0-65535' })).toThrow('--port must be a port number 0-65535 (got "")');
  });
});

describe('portNumber', () => {
  it('falls back when the flag is absent, takes 0 to 65535, and nothing else', () => {
    expect(portNumber('port', undefined, 8443)).toBe(8443);
    expect(portNumber('port', '0', 8443)).toBe(0);
    expect(portNumber('port', '65535', 8443)).toBe(65535);
    for (const value of ['', '65536', '8e3', '0x1F90', '-1']) expect(() => portNumber('port', value, 8443), value).toThrow(InputError);
  });
});

describe('dnsLabel and namespaceName', () => {
  it('take DNS labels and refuse the rest', () => {
    expect(namespaceName('namespace', 'team-a')).toBe('team-a');
    expect(dnsLabel('service', 'a'.repeat(63), 'a Service name')).toBe('a'.repeat(63));
    for (const value of ['', 'Team', 'team_a', '-a', 'a-', 'a.b', 'a'.repeat(64)]) expect(() => namespaceName('namespace', value), value).toThrow(InputError);
    expect(() => dnsLabel('service', 'Gate', 'a Service name such as "policygate"')).toThrow('--service must be a Service name such as "policygate" (got "Gate")');
  });
});
