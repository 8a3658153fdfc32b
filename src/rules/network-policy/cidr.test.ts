import { describe, expect, it } from 'vitest';
import { parseCidr } from './cidr.js';

const V4_END = 1n << 32n;

describe('parseCidr, as the API server reads a CIDR', () => {
  it.each([
    ['0.0.0.0/0', 4, [0n, V4_END]],
    ['0.0.0.0/00', 4, [0n, V4_END]],
    ['10.0.0.0/8', 4, [10n << 24n, 11n << 24n]],
    ['010.0.0.0/008', 4, [10n << 24n, 11n << 24n]],
    ['10.1.2.3/8', 4, [10n << 24n, 11n << 24n]],
    ['128.0.0.0/1', 4, [1n << 31n, V4_END]],
    ['192.168.1.7/32', 4, [(192n << 24n) | (168n << 16n) | (1n << 8n) | 7n, ((192n << 24n) | (168n << 16n) | (1n << 8n) | 7n) + 1n]],
    ['::/0', 6, [0n, 1n << 128n]],
    ['8000::/1', 6, [1n << 127n, 1n << 128n]],
    ['fd00::/8', 6, [0xfdn << 120n, 0xfen << 120n]],
    ['2001:db8::1/128', 6, [(0x20010db8n << 96n) | 1n, ((0x20010db8n << 96n) | 1n) + 1n]],
  ] as const)('%s', (text, family, range) => {
    expect(parseCidr(text)).toMatchObject({ family, range });
  });

  it('reads an IPv4-mapped IPv6 block as the IPv4 block it maps, as Go does', () => {
    expect(parseCidr('::ffff:0.0.0.0/96')).toEqual({ family: 4, range: [0n, V4_END], prefix: 0 });
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ family: 4, range: [10n << 24n, 11n << 24n], prefix: 8 });
    expect(parseCidr('::ffff:a00:0/104')).toEqual({ family: 4, range: [10n << 24n, 11n << 24n], prefix: 8 });
    // A shorter prefix masks the ffff away: an IPv6 block.
    expect(parseCidr('::ffff:0.0.0.0/80')).toEqual({ family: 6, range: [0n, 1n << 48n], prefix: 80 });
    expect(parseCidr('::/1')).toMatchObject({ family: 6 });
  });

  it.each(['', '10.0.0.0', '10.0.0.0/33', '::/129', '256.0.0.0/8', '10.0.0/8', '1:2:3:4:5:6:7:8:9/64', '1:::2/64', ':1/64', 'fe80::1%eth0/64', '10.0.0.0/-1', '10.0.0.0/ 8', 'x/0'])(
    'refuses %j, as the API server does',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );

  it('is undefined for what is not a string', () => {
    expect(parseCidr(undefined)).toBeUndefined();
    expect(parseCidr(10)).toBeUndefined();
  });
});
