// The analysis against a brute-force reference. Random NetworkPolicies (peers, CIDRs with excepts,
// ports with ranges, label selectors) are judged twice: by the analysis, and by enumerating a reduced
// space that still tells every case apart — namespaces with every combination of the names and label
// values the selectors use (plus one they do not, plus absent), pods likewise, addresses at every
// range boundary and one past it, every port at every boundary. The two must agree, and a witness
// alone must admit what the finding says.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAMILY_SIZE, parseCidr, type Family } from './cidr.js';
import { admitsEveryPod, admitsEverything } from './judge.js';
import type { DirectionModel } from './model.js';
import { readKubernetesNetworkPolicy } from './read-kubernetes.js';

type Labels = Record<string, string>;
type Json = Record<string, unknown>;

const POLICY_NAMESPACE = 'shop';
const NAME_LABEL = 'kubernetes.io/metadata.name';
const NAMES = ['shop', 'kube-system', 'a'];
const TEAM_VALUES = ['a', 'b'];
const APP_VALUES = ['a', 'b'];
const CIDRS = ['0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2', '10.0.0.0/8', '::/0', '::/1', '8000::/1', '::ffff:0.0.0.0/96', '0.0.0.0/00'];
const EXCEPTS = ['10.0.0.0/8', '128.0.0.0/2', '0.0.0.0/2', '8000::/2'];
const PORT_BOUNDS = [1, 80, 32767, 32768, 65534, 65535];

// ------------------------------------------------------------------------------------------------
// Generators

const requirement = (key: string, values: string[]) =>
  fc.oneof(
    fc.record({ key: fc.constant(key), operator: fc.constantFrom('In', 'NotIn'), values: fc.subarray(values, { minLength: 1 }) }),
    fc.record({ key: fc.constant(key), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  );

const namespaceSelector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.oneof(fc.record({ team: fc.constantFrom(...TEAM_VALUES) }), fc.record({ [NAME_LABEL]: fc.constantFrom(...NAMES) })) }),
  fc.record({ matchExpressions: fc.array(fc.oneof(requirement('team', TEAM_VALUES), requirement(NAME_LABEL, [...NAMES, 'Not_A_Name'])), { minLength: 1, maxLength: 2 }) }),
);

const podSelector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ app: fc.constantFrom(...APP_VALUES) }) }),
  fc.record({ matchExpressions: fc.array(requirement('app', APP_VALUES), { minLength: 1, maxLength: 2 }) }),
);

const peer = fc.oneof(
  fc.record({ ipBlock: fc.record({ cidr: fc.constantFrom(...CIDRS), except: fc.subarray(EXCEPTS) }, { requiredKeys: ['cidr'] }) }),
  fc.record({ namespaceSelector, podSelector }, { requiredKeys: ['namespaceSelector'] }),
  fc.record({ podSelector }),
);

const portEntry = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(...PORT_BOUNDS) }, { requiredKeys: [] }),
  fc
    .record({ protocol: fc.constantFrom('TCP', 'UDP'), from: fc.constantFrom(...PORT_BOUNDS), to: fc.constantFrom(...PORT_BOUNDS) }, { requiredKeys: ['from', 'to'] })
    .map(({ from, to, protocol }) => ({ ...(protocol ? { protocol } : {}), port: Math.min(from, to), endPort: Math.max(from, to) })),
  fc.constant({ port: 'http' }),
);

// Rules open to everyone or on every port are common enough to appear, rare enough to leave room for unions.
const rule = fc.record(
  {
    from: fc.oneof({ arbitrary: fc.constant([]), weight: 1 }, { arbitrary: fc.array(peer, { minLength: 1, maxLength: 3 }), weight: 6 }),
    ports: fc.oneof({ arbitrary: fc.constant([]), weight: 1 }, { arbitrary: fc.array(portEntry, { minLength: 1, maxLength: 3 }), weight: 4 }),
  },
  { requiredKeys: ['from'] },
);

const policy = fc.array(rule, { minLength: 1, maxLength: 3 }).map((ingress) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'random', namespace: POLICY_NAMESPACE },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress },
}));

// ------------------------------------------------------------------------------------------------
// The reference: Kubernetes' own reading, point by point.

function selectorMatches(selector: Json, labels: Labels): boolean {
  for (const [key, value] of Object.entries((selector.matchLabels as Labels | undefined) ?? {})) if (labels[key] !== value) return false;
  for (const expression of (selector.matchExpressions as { key: string; operator: string; values?: string[] }[] | undefined) ?? []) {
    const value = labels[expression.key];
    const present = value !== undefined;
    const listed = present && (expression.values ?? []).includes(value);
    const ok = { In: listed, NotIn: !listed, Exists: present, DoesNotExist: !present }[expression.operator];
    if (!ok) return false;
  }
  return true;
}

function portMatches(rule: Json, protocol: string, port: number): boolean {
  const ports = (rule.ports as Json[] | undefined) ?? [];
  if (ports.length === 0) return true;
  return ports.some((entry) => {
    if ((entry.protocol ?? 'TCP') !== protocol) return false;
    if (entry.port === undefined) return true;
    if (typeof entry.port !== 'number') return false;
    const end = typeof entry.endPort === 'number' ? entry.endPort : entry.port;
    return port >= entry.port && port <= end;
  });
}

function peersOf(rule: Json): Json[] | undefined {
  const peers = rule.from as Json[] | undefined;
  return peers === undefined || peers.length === 0 ? undefined : peers;
}

function addressMatches(rule: Json, family: Family, address: bigint): boolean {
  const peers = peersOf(rule);
  if (!peers) return true;
  return peers.some((candidate) => {
    const block = candidate.ipBlock as { cidr: string; except?: string[] } | undefined;
    if (!block) return false;
    const cidr = parseCidr(block.cidr);
    if (!cidr || cidr.family !== family || address < cidr.range[0] || address >= cidr.range[1]) return false;
    return !(block.except ?? []).some((text) => {
      const cut = parseCidr(text);
      return cut !== undefined && cut.family === family && address >= cut.range[0] && address < cut.range[1];
    });
  });
}

interface Pod {
  namespace: Labels;
  labels: Labels;
}

function podMatches(rule: Json, pod: Pod): boolean {
  const peers = peersOf(rule);
  if (!peers) return true;
  return peers.some((candidate) => {
    if (candidate.ipBlock) return false;
    const namespaces = candidate.namespaceSelector as Json | undefined;
    const inNamespaces = namespaces ? selectorMatches(namespaces, pod.namespace) : pod.namespace[NAME_LABEL] === POLICY_NAMESPACE;
    return inNamespaces && selectorMatches((candidate.podSelector as Json | undefined) ?? {}, pod.labels);
  });
}

function withValues(key: string, values: string[], absent: boolean): Labels[] {
  return [...(absent ? [{}] : []), ...[...values, 'zz'].map((value) => ({ [key]: value }))];
}

const PODS: Pod[] = withValues(NAME_LABEL, [...NAMES, 'other'], false).flatMap((name) =>
  withValues('team', TEAM_VALUES, true).flatMap((team) => withValues('app', APP_VALUES, true).map((labels) => ({ namespace: { ...name, ...team }, labels }))),
);

function portSamples(rules: Json[]): number[] {
  const samples = new Set([1, 65535]);
  for (const rule of rules) {
    for (const entry of (rule.ports as Json[] | undefined) ?? []) {
      for (const bound of [entry.port, entry.endPort]) {
        if (typeof bound === 'number') for (const sample of [bound - 1, bound, bound + 1]) if (sample >= 1 && sample <= 65535) samples.add(sample);
      }
    }
  }
  return [...samples];
}

function addressSamples(rules: Json[], family: Family): bigint[] {
  const size = FAMILY_SIZE[family];
  const samples = new Set([0n, size - 1n]);
  for (const rule of rules) {
    for (const candidate of peersOf(rule) ?? []) {
      const block = candidate.ipBlock as { cidr: string; except?: string[] } | undefined;
      for (const text of block ? [block.cidr, ...(block.except ?? [])] : []) {
        const cidr = parseCidr(text);
        if (!cidr || cidr.family !== family) continue;
        for (const sample of [cidr.range[0] - 1n, cidr.range[0], cidr.range[1] - 1n, cidr.range[1]]) if (sample >= 0n && sample < size) samples.add(sample);
      }
    }
  }
  return [...samples];
}

function referenceEveryPeer(rules: Json[]): boolean {
  const ports = portSamples(rules);
  return ['TCP', 'UDP', 'SCTP'].some((protocol) =>
    ([4, 6] as const).some((family) =>
      addressSamples(rules, family).every((address) => ports.every((port) => rules.some((rule) => portMatches(rule, protocol, port) && addressMatches(rule, family, address)))),
    ),
  );
}

function referenceEveryPod(rules: Json[]): boolean {
  const ports = portSamples(rules);
  return ['TCP', 'UDP', 'SCTP'].some((protocol) => PODS.every((pod) => ports.every((port) => rules.some((rule) => portMatches(rule, protocol, port) && podMatches(rule, pod)))));
}

// ------------------------------------------------------------------------------------------------

function ingressOf(object: Json): DirectionModel {
  const direction = readKubernetesNetworkPolicy(object)?.units[0]?.directions[0];
  if (!direction) throw new Error('no ingress direction');
  return direction;
}

const OPTIONS = { cidrMatchesCluster: true };

describe('the analysis agrees with a brute-force reference', () => {
  it('on every peer, every port', () => {
    fc.assert(
      fc.property(policy, (object) => {
        const direction = ingressOf(object);
        const witness = admitsEverything(direction, OPTIONS);
        expect(witness !== undefined).toBe(referenceEveryPeer(object.spec.ingress as Json[]));
        // The witness alone suffices.
        if (witness) expect(admitsEverything(direction, { ...OPTIONS, only: witness.parts.map((part) => part.rule) })).toBeDefined();
      }),
      { numRuns: 400 },
    );
  });

  it('on every pod of every namespace, every port', () => {
    fc.assert(
      fc.property(policy, (object) => {
        const direction = ingressOf(object);
        const witness = admitsEveryPod(direction, OPTIONS);
        expect(witness !== undefined).toBe(referenceEveryPod(object.spec.ingress as Json[]));
        if (witness) expect(admitsEveryPod(direction, { ...OPTIONS, only: witness.parts.map((part) => part.rule) })).toBeDefined();
      }),
      { numRuns: 400 },
    );
  });
});
