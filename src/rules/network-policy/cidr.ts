// CIDRs parsed the way the Kubernetes API server accepts them (k8s.io/utils/net ParseCIDRSloppy, used
// by NetworkPolicy validation): an IPv4 address in dotted decimal where an octet may have leading zeros
// (read as decimal, `010` is 10), or an IPv6 address in any of its textual forms, including an embedded
// IPv4 tail (`::ffff:10.0.0.0`); then `/` and a prefix length in decimal, leading zeros accepted
// (`0.0.0.0/00` is `0.0.0.0/0`). Host bits beyond the prefix are ignored, as Go's ParseCIDR masks
// them. Anything else is invalid: the API server refuses it, so it is not this analysis' finding, and
// callers treat it as matching nothing.
//
// An IPv6 block within the IPv4-mapped range (`::ffff:a.b.c.d/96` and longer prefixes) is an IPv4
// block, as Go's net.IPNet reads it (its network address is IPv4-mapped, so it matches IPv4
// addresses): `::ffff:0.0.0.0/96` covers every IPv4 address. A shorter prefix (`::/1`) masks the
// ffff away and stays an IPv6 block.
import type { Interval } from './intervals.js';

export type Family = 4 | 6;

export interface ParsedCidr {
  family: Family;
  /** The block as a half-open interval of addresses in its own family. */
  range: Interval<bigint>;
  /** The prefix length in its family (an IPv4-mapped /104 is an IPv4 /8). */
  prefix: number;
}

export const FAMILY_SIZE: Record<Family, bigint> = { 4: 1n << 32n, 6: 1n << 128n };
const MAPPED_START = 0xffffn << 32n;

const DECIMAL = /^\d+$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    if (!DECIMAL.test(octet) || octet.length > 3) return undefined;
    const number = Number(octet);
    if (number > 255) return undefined;
    value = (value << 8n) | BigInt(number);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === undefined) return undefined;
      groups.push(ipv4 >> 16n, ipv4 & 0xffffn);
    } else if (HEX_GROUP.test(part)) {
      groups.push(BigInt(`0x${part}`));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<bigint>(missing).fill(0n), ...tail]) value = (value << 16n) | group;
  return value;
}

/** A CIDR as the API server reads it, or undefined when it would refuse it. */
export function parseCidr(text: unknown): ParsedCidr | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash === -1) return undefined;
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!DECIMAL.test(prefixText)) return undefined;
  const family: Family = addressText.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (address === undefined || prefix > bits) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const start = address - (address % size);
  if (family === 6 && prefix >= 96 && start >> 32n === 0xffffn) {
    return { family: 4, range: [start - MAPPED_START, start - MAPPED_START + size], prefix: prefix - 96 };
  }
  return { family, range: [start, start + size], prefix };
}
