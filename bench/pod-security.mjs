// Time per Pod Security evaluation at restricted:latest, for the three pods the foundation issue
// names; then, for the same pods, what the webhook does per pod with the default policy (enforce
// baseline, warn and audit restricted): podUnderReview on the object, then evaluatePodAtBothLevels
// at latest, both levels in one pass; then the whole rule as evaluateObject runs it (findings, modes,
// exceptions), with no exception configured, with five that do not match the pod, and with two that
// do (one excepting a check whole, one narrowed to the pod's first container, so that the check is
// judged again without it). Baseline in the same run: JSON.parse of the same pod's JSON, work the
// webhook does anyway.
import { DEFAULT_CONFIG } from '../dist/config/load.js';
import { evaluateObject } from '../dist/rules/evaluate.js';
import { podSecurity } from '../dist/rules/pod-security.js';
import { evaluatePod, evaluatePodAtBothLevels } from '../dist/rules/pod-security/evaluate.js';
import { podUnderReview } from '../dist/rules/pod-security/pod-spec.js';
import { LATEST } from '../dist/rules/pod-security/level-version.js';
import { formatNs, timePerOp } from './measure.mjs';

const RESTRICTED_LATEST = { level: 'restricted', version: LATEST };

function compliantContainer(name) {
  return {
    name,
    image: `registry.example.com/team/${name}:1.4.2`,
    ports: [{ containerPort: 8080, name: 'http' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function pod(spec) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bench', namespace: 'team-a', labels: { app: 'bench' } }, spec };
}

const PODS = {
  'compliant pod': pod({
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [compliantContainer('app')],
    volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'config', configMap: { name: 'app-config' } }],
  }),
  'bare pod (fails 4 checks)': pod({ containers: [{ name: 'app', image: 'nginx' }] }),
  '10-container pod': pod({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: Array.from({ length: 10 }, (_, i) => compliantContainer(`c${i}`)),
    volumes: [{ name: 'tmp', emptyDir: {} }],
  }),
};

export async function run() {
  console.log('restricted:latest, time per evaluation (median of 15 batches); baseline: JSON.parse of the same pod');
  console.log(`${'pod'.padEnd(28)} ${'evaluate'.padStart(10)} ${'JSON.parse'.padStart(11)} ${'ratio'.padStart(7)}  failures`);
  for (const [name, object] of Object.entries(PODS)) {
    const review = podUnderReview(object);
    const failures = evaluatePod(RESTRICTED_LATEST, review).length;
    const text = JSON.stringify(object);
    const evaluateNs = timePerOp(() => evaluatePod(RESTRICTED_LATEST, review));
    const parseNs = timePerOp(() => JSON.parse(text));
    console.log(`${name.padEnd(28)} ${formatNs(evaluateNs).padStart(10)} ${formatNs(parseNs).padStart(11)} ${(evaluateNs / parseNs).toFixed(2).padStart(6)}×  ${failures}`);
  }
  console.log('');
  console.log('per pod as the webhook does it with the default policy: podUnderReview + evaluatePodAtBothLevels(latest); same baseline');
  console.log(`${'pod'.padEnd(28)} ${'evaluate'.padStart(10)} ${'JSON.parse'.padStart(11)} ${'ratio'.padStart(7)}  failures (baseline/restricted)`);
  for (const [name, object] of Object.entries(PODS)) {
    const both = evaluatePodAtBothLevels(LATEST, podUnderReview(object));
    const text = JSON.stringify(object);
    const evaluateNs = timePerOp(() => evaluatePodAtBothLevels(LATEST, podUnderReview(object)));
    const parseNs = timePerOp(() => JSON.parse(text));
    console.log(
      `${name.padEnd(28)} ${formatNs(evaluateNs).padStart(10)} ${formatNs(parseNs).padStart(11)} ${(evaluateNs / parseNs).toFixed(2).padStart(6)}×  ${both.baseline.length}/${both.restricted.length}`,
    );
  }
  console.log('');
  console.log('the rule as evaluateObject runs it, default policy; exceptions: none / 5 not matching / 2 matching (whole check, first container); same baseline');
  console.log(`${'pod'.padEnd(28)} ${'none'.padStart(10)} ${'5 other'.padStart(10)} ${'2 match'.padStart(10)} ${'JSON.parse'.padStart(11)}  none/JSON.parse, 5 other/none, 2 match/none`);
  const NOW = Date.parse('2027-03-15T12:00:00Z');
  const withExceptions = (exceptions) => ({ ...structuredClone(DEFAULT_CONFIG), exceptions });
  const other = (i) => ({ name: `other-${i}`, reason: 'r', expires: '2099-01-01', match: { namespaces: [`team-${i}*`], kinds: ['DaemonSet'], names: ['agent-*'] }, checks: ['pod-security/*'] });
  const configs = {
    none: withExceptions([]),
    other: withExceptions([1, 2, 3, 4, 5].map(other)),
    matching: withExceptions([
      { name: 'whole', reason: 'r', expires: '2099-01-01', match: { namespaces: ['team-a'] }, checks: ['pod-security/seccompProfile_restricted'] },
      { name: 'first', reason: 'r', match: { namespaces: ['team-*'], containers: ['app', 'c0'] }, checks: ['pod-security/runAsNonRoot', 'pod-security/allowPrivilegeEscalation'] },
    ]),
  };
  const rules = [podSecurity];
  for (const [name, object] of Object.entries(PODS)) {
    const text = JSON.stringify(object);
    const time = (config) => {
      const context = { config, operation: 'CREATE', namespace: { name: 'team-a', labels: {} }, now: NOW };
      return timePerOp(() => evaluateObject(object, context, rules));
    };
    const none = time(configs.none);
    const otherNs = time(configs.other);
    const matching = time(configs.matching);
    const parseNs = timePerOp(() => JSON.parse(text));
    const ratios = `${(none / parseNs).toFixed(2)}×, ${(otherNs / none).toFixed(2)}×, ${(matching / none).toFixed(2)}×`;
    console.log(`${name.padEnd(28)} ${formatNs(none).padStart(10)} ${formatNs(otherNs).padStart(10)} ${formatNs(matching).padStart(10)} ${formatNs(parseNs).padStart(11)}  ${ratios}`);
  }
  console.log('Reference: PSA in Go, about 3 µs per pod.');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
