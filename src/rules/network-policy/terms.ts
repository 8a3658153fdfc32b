// Building blocks the API readers share: address blocks with their exceptions, port ranges, and the
// "every port of every protocol" of a rule that names no ports.
import { parseCidr } from './cidr.js';
import { normalize, subtract, type IntervalSet } from './intervals.js';
import { EVERY_PORT, PROTOCOLS, type PeerTerm, type PortTerm, type Protocol, type Source } from './model.js';

/**
 * The addresses of `cidr` without those of `except` (of its family). An invalid CIDR matches nothing:
 * the API server refuses it.
 */
export function addressTerms(cidr: unknown, except: readonly unknown[], inCluster: boolean, source: Source, paths: readonly string[]): PeerTerm[] {
  const block = parseCidr(cidr);
  if (!block) return [];
  const removed = except.flatMap((entry) => {
    const cut = parseCidr(entry);
    return cut && cut.family === block.family ? [cut.range] : [];
  });
  return [{ kind: 'addresses', family: block.family, ranges: subtract([block.range], normalize(removed)), inCluster, source, paths }];
}

/** One protocol's ports from `first` to `last`, inclusive, clipped to 1-65535. */
export function portRange(protocol: Protocol, first: number, last: number, source: Source): PortTerm {
  const start = Math.max(first, EVERY_PORT[0]);
  const end = Math.min(last + 1, EVERY_PORT[1]);
  const ranges: IntervalSet<number> = start < end ? [[start, end]] : [];
  return { protocol, ranges, source };
}

export function everyPortOf(protocol: Protocol, source: Source): PortTerm {
  return { protocol, ranges: [EVERY_PORT], source };
}

/** Every port of TCP, UDP and SCTP, all from the same field. */
export function everyPort(source: Source): PortTerm[] {
  return PROTOCOLS.map((protocol) => everyPortOf(protocol, source));
}

/** A named port: it restricts to whatever port the container gives that name, which is not every port. */
export function namedPort(protocol: Protocol, source: Source): PortTerm {
  return { protocol, ranges: [], source };
}

export function isProtocol(value: unknown): value is Protocol {
  return value === 'TCP' || value === 'UDP' || value === 'SCTP';
}

/** A whole number, or undefined. */
export function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
