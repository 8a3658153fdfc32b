// Time to judge a network policy with network-policy-allow-all, as the webhook does for each policy
// written: a typical policy (the three-tier backend: one ingress and two egress rules), the same in
// Cilium's and Calico's spelling, a 50-rule policy, a 50-rule policy open on every port to peers that
// do not cover everything (every peer union is decided), and a 50-rule policy whose rules only together
// open every port to everyone (the slow path: every slice of the ports is judged, the witness found).
// Baseline in the same run: JSON.parse of the same policy's JSON, work the webhook does anyway. The two
// are timed in alternating batches and the ratio is the median of the per-batch ratios, which holds
// steady on a shared, loaded machine where absolute times do not.
import { DEFAULT_CONFIG } from '../dist/config/load.js';
import { networkPolicyAllowAll } from '../dist/rules/network-policy-allow-all.js';
import { formatNs } from './measure.mjs';

/** Median time per call of `a` and of `b`, and the median of their ratios, timed in alternating batches. */
function timeAgainst(a, b, { batches = 21, minBatchMs = 20 } = {}) {
  const batch = (fn, count) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) fn();
    return Number(process.hrtime.bigint() - start) / count;
  };
  const sized = (fn) => {
    let count = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < count; i++) fn();
      if (Number(process.hrtime.bigint() - start) / 1e6 >= minBatchMs) return count;
      count *= 2;
    }
  };
  // Warm up first: the optimising compiler takes thousands of calls to settle on this code (the first
  // thousand evaluations of a typical policy are 10-50 times slower than the rest).
  for (const fn of [a, b]) {
    const started = Date.now();
    for (let calls = 0; (calls < 20_000 || Date.now() - started < 400) && Date.now() - started < 3000; calls++) fn();
  }
  const countA = sized(a);
  const countB = sized(b);
  const times = [];
  for (let i = 0; i < batches; i++) {
    const timeA = batch(a, countA);
    const timeB = batch(b, countB);
    times.push({ a: timeA, b: timeB, ratio: timeA / timeB });
  }
  const median = (key) => times.map((time) => time[key]).sort((x, y) => x - y)[Math.floor(batches / 2)];
  return { a: median('a'), b: median('b'), ratio: median('ratio') };
}

const CONTEXT = { config: DEFAULT_CONFIG, operation: 'CREATE' };
const KUBE_DNS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const DNS = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];

function networkPolicy(spec) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'backend', namespace: 'production' }, spec };
}

const POLICIES = {
  'typical NetworkPolicy (3 rules)': networkPolicy({
    podSelector: { matchLabels: { tier: 'backend' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    egress: [
      { to: [{ podSelector: { matchLabels: { tier: 'database' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [KUBE_DNS], ports: DNS },
    ],
  }),
  'typical CiliumNetworkPolicy (L7, DNS)': {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'backend', namespace: 'production' },
    spec: {
      endpointSelector: { matchLabels: { tier: 'backend' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { tier: 'frontend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] }],
      egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
    },
  },
  'typical Calico GlobalNetworkPolicy': {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'backend' },
    spec: {
      selector: "tier == 'backend'",
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "tier == 'frontend'" }, destination: { ports: [8080] } }],
      egress: [{ action: 'Allow', protocol: 'UDP', destination: { selector: "k8s-app == 'kube-dns'", ports: [53] } }, { action: 'Deny' }],
    },
  },
  '50-rule NetworkPolicy': networkPolicy({
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: Array.from({ length: 50 }, (_, i) => ({
      from: [{ namespaceSelector: { matchLabels: { team: `team-${i}` } }, podSelector: { matchLabels: { app: `app-${i}` } } }, { ipBlock: { cidr: `10.${i}.0.0/16` } }],
      ports: [{ protocol: 'TCP', port: 8000 + i }],
    })),
  }),
  '50 rules on every port, peers short of all': networkPolicy({
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: Array.from({ length: 50 }, (_, i) => ({
      from: [{ namespaceSelector: { matchLabels: { team: `team-${i}` } }, podSelector: { matchLabels: { app: `app-${i}` } } }, { ipBlock: { cidr: `10.${i}.0.0/16` } }],
    })),
  }),
  '50 rules opening 1-65535 together (finding)': networkPolicy({
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: Array.from({ length: 50 }, (_, i) => ({ ports: [{ protocol: 'TCP', port: 1 + i * 1311, endPort: Math.min(65535, (i + 1) * 1311) }] })),
  }),
};

export async function run() {
  console.log('network-policy-allow-all, time per evaluation (median of 21 alternating batches); baseline: JSON.parse of the same policy');
  console.log(`${'policy'.padEnd(44)} ${'evaluate'.padStart(10)} ${'JSON.parse'.padStart(11)} ${'ratio'.padStart(7)}  findings`);
  for (const [name, object] of Object.entries(POLICIES)) {
    const findings = networkPolicyAllowAll.evaluate(object, CONTEXT).length;
    const text = JSON.stringify(object);
    const { a: evaluateNs, b: parseNs, ratio } = timeAgainst(() => networkPolicyAllowAll.evaluate(object, CONTEXT), () => JSON.parse(text));
    console.log(`${name.padEnd(44)} ${formatNs(evaluateNs).padStart(10)} ${formatNs(parseNs).padStart(11)} ${ratio.toFixed(2).padStart(6)}×  ${findings}`);
  }
  console.log(`Target: a typical policy under 10 µs. Load average now: ${(await import('node:os')).loadavg()[0].toFixed(1)}.`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
