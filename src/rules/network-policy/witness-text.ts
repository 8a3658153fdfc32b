// A witness in plain words, and the field paths it rests on. One rule:
//   `from[0]: ipBlock 0.0.0.0/1 and from[1]: ipBlock 128.0.0.0/1 together cover every IPv4 address; no "ports"`
// Several rules:
//   `spec.ingress[0] (no "from"; ports[0]: 1-32767) and spec.ingress[1] (no "from"; ports[0]: 32768-65535) together cover every source on every TCP port`
import type { Coverage, Witness, WitnessPart } from './judge.js';
import type { DirectionName, PeerTerm } from './model.js';
import { labelsOf, NAME, NAMESPACE_NAME_LABEL } from './predicate.js';

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function coverageNoun(coverage: Coverage, direction: DirectionName): string {
  switch (coverage) {
    case 'everyone':
      return direction === 'ingress' ? 'every source' : 'every destination';
    case 'ipv4':
      return 'every IPv4 address';
    case 'ipv6':
      return 'every IPv6 address';
    case 'pods':
      return 'every pod of every namespace';
  }
}

/** Cilium's every peer is made of world and cluster terms: say so rather than "every IPv4 address". */
function peersNoun(witness: Witness, direction: DirectionName): string {
  const terms = witness.parts.flatMap((part) => part.peers);
  if (witness.coverage !== 'pods' && terms.some((term) => term.kind === 'entity' || (term.kind === 'addresses' && !term.inCluster))) {
    return `${coverageNoun('everyone', direction)} in and outside the cluster (${witness.coverage === 'ipv6' ? 'IPv6' : 'IPv4'})`;
  }
  return coverageNoun(witness.coverage, direction);
}

/** Labels that name a pod's namespace on the pod itself (Cilium, Calico), rather than on the namespace. */
const POD_NAMESPACE_LABEL = /(^|:)io\.kubernetes\.pod\.namespace$|^projectcalico\.org\/namespace$/;

/** The guarantee a pod witness relies on, when one of its selectors reads the namespace's name. */
function guarantee(witness: Witness): string {
  const labels = new Set(witness.parts.flatMap((part) => part.peers.flatMap((term) => (term.kind === 'pods' ? labelsOf(term.match, NAME) : []))));
  if (labels.size === 0) return '';
  const notes = [...labels].map((label) => (POD_NAMESPACE_LABEL.test(label) ? `every pod carries ${label}, naming its namespace` : `every namespace carries ${label.endsWith(NAMESPACE_NAME_LABEL) ? NAMESPACE_NAME_LABEL : label}`));
  return ` (${[...new Set(notes)].join('; ')})`;
}

function peersText(part: WitnessPart, together: string | undefined): string {
  const texts = part.peers.map((term) => term.source.text);
  return texts.length > 1 && together !== undefined ? `${list(texts)} together cover ${together}` : list(texts);
}

function portsText(part: WitnessPart, protocol: string, together: boolean): string {
  const texts = part.ports.map((term) => term.source.text);
  return texts.length > 1 && together ? `${list(texts)} together cover every ${protocol} port` : list(texts);
}

/** The reason inside a one-rule message: `no "from"; no "ports"`. */
export function ruleReason(witness: Witness, direction: DirectionName): string {
  const [part] = witness.parts;
  if (!part || witness.parts.length > 1) return directionReason(witness, direction);
  return `${peersText(part, peersNoun(witness, direction))}${guarantee(witness)}; ${portsText(part, witness.protocol, true)}`;
}

/** The reason of a finding that needs several rules. */
export function directionReason(witness: Witness, direction: DirectionName): string {
  const parts = witness.parts.map((part) => `${part.rule.path} (${peersText(part, undefined)}; ${portsText(part, witness.protocol, false)})`);
  return `${list(parts)} together cover ${peersNoun(witness, direction)} on every ${witness.protocol} port${guarantee(witness)}`;
}

function termPaths(term: PeerTerm): readonly string[] {
  return term.kind === 'addresses' || term.kind === 'pods' ? term.paths : [term.source.path];
}

/** Every field the witness rests on, each once, after `first`. */
export function witnessPaths(first: string, witness: Witness): string[] {
  const paths = [first];
  for (const part of witness.parts) {
    for (const term of part.peers) paths.push(...termPaths(term));
    for (const term of part.ports) paths.push(term.source.path);
  }
  return [...new Set(paths)];
}
