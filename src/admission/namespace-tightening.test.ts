import { afterEach, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../../test/helpers/config.js';
import type { KubeObject } from '../rules/types.js';
import { validateReview } from './decide.js';
import { LIST_FAILED_WARNING, namespaceTighteningWarnings, type TighteningOptions } from './namespace-tightening.js';
import { NO_CLUSTER, type AdmissionReviewRequest, type PodLister } from './types.js';

const ENFORCE = 'pod-security.kubernetes.io/enforce';
const ENFORCE_VERSION = 'pod-security.kubernetes.io/enforce-version';
const RESTRICTED_HEADER = 'existing pods in namespace "team-a" violate the new PodSecurity enforce level "restricted:latest"';
/** What a pod with no securityContext lacks under restricted, in PSA's check order. */
const PLAIN_AT_RESTRICTED = 'allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile';

interface PodOptions {
  owner?: string;
  runtimeClassName?: string;
  /** Merged into the single container. */
  container?: Record<string, unknown>;
  spec?: Record<string, unknown>;
  restricted?: boolean;
}

function pod(name: string, options: PodOptions = {}): KubeObject {
  const restricted = options.restricted ?? false;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'team-a',
      ...(options.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: options.owner, uid: `uid-${options.owner}`, controller: true }] } : {}),
    },
    spec: {
      ...(restricted ? { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } } : {}),
      ...(options.runtimeClassName ? { runtimeClassName: options.runtimeClassName } : {}),
      ...options.spec,
      containers: [
        {
          name: 'app',
          image: 'nginx:1.27',
          ...(restricted ? { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } } : {}),
          ...options.container,
        },
      ],
    },
  };
}

function namespace(labels: Record<string, string>, name = 'team-a'): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: 'a', ...labels } } };
}

function namespaceUpdate(
  oldLabels: Record<string, string>,
  newLabels: Record<string, string>,
  options: { name?: string; operation?: 'CREATE' | 'UPDATE'; subResource?: string; dryRun?: boolean } = {},
): AdmissionReviewRequest {
  const name = options.name ?? 'team-a';
  const operation = options.operation ?? 'UPDATE';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'uid-1',
      kind: { group: '', version: 'v1', kind: 'Namespace' },
      resource: { group: '', version: 'v1', resource: 'namespaces' },
      name,
      operation,
      // The label guard lets only system:masters change pod-security labels by default.
      userInfo: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      object: namespace(newLabels, name),
      oldObject: operation === 'UPDATE' ? namespace(oldLabels, name) : null,
      ...(options.subResource ? { subResource: options.subResource } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
    },
  };
}

/** A lister over fixed pods that records its calls and honours `limit`. */
function fakeLister(pods: readonly KubeObject[]): PodLister & { calls: Array<{ namespace: string; limit: number; signal: AbortSignal }> } {
  const calls: Array<{ namespace: string; limit: number; signal: AbortSignal }> = [];
  return {
    calls,
    list(namespace, { limit, signal }) {
      calls.push({ namespace, limit, signal });
      return Promise.resolve(pods.slice(0, limit));
    },
  };
}

/** A clock that moves `stepMs` each time it is read (the first read is 0). */
function steppingClock(stepMs: number): () => number {
  let time = -stepMs;
  return () => (time += stepMs);
}

const STILL: TighteningOptions = { now: () => 0 };
const BASELINE = { [ENFORCE]: 'baseline' };
const RESTRICTED = { [ENFORCE]: 'restricted' };

describe('namespaceTighteningWarnings', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('names the pods the stricter level would refuse, one line per distinct set of reasons, as PSA words it', async () => {
    const lister = fakeLister([
      pod('web-2'),
      pod('web-1'),
      pod('ok', { restricted: true }),
      pod('root', { restricted: true, container: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: true } } }),
      pod('web-3'),
    ]);
    const warnings = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), lister, STILL);
    expect(warnings).toEqual([RESTRICTED_HEADER, 'root: privileged', `web-1 (and 2 other pods): ${PLAIN_AT_RESTRICTED}`]);
    expect(lister.calls).toEqual([{ namespace: 'team-a', limit: 3001, signal: expect.any(AbortSignal) }]);
  });

  it.each(['status', 'finalize'])('warns the same when the labels change through the %s subresource', async (subResource) => {
    const warnings = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED, { subResource }), testConfig(), fakeLister([pod('web')]), STILL);
    expect(warnings).toEqual([RESTRICTED_HEADER, `web: ${PLAIN_AT_RESTRICTED}`]);
  });

  it('says "1 other pod" for a pair, and nothing at all when every pod passes', async () => {
    const pair = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), fakeLister([pod('b'), pod('a')]), STILL);
    expect(pair).toEqual([RESTRICTED_HEADER, `a (and 1 other pod): ${PLAIN_AT_RESTRICTED}`]);
    const clean = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), fakeLister([pod('ok', { restricted: true })]), STILL);
    expect(clean).toEqual([]);
  });

  it('judges the first pod of each controller before further replicas, and skips exempt runtime classes (PSA "prioritized pods")', async () => {
    // PSA's case with a time budget that ends after four pods, instead of a bound of four pods.
    const config = testConfig({ rules: { 'pod-security': { exemptions: { runtimeClassNames: ['kata'], usernames: [], namespaces: ['kube-system'] } } } });
    const privileged = { container: { securityContext: { privileged: true } } };
    const hostNetwork = { spec: { hostNetwork: true } };
    const pods = [
      ...[1, 2, 3, 4].map((n) => pod(`exempt${n}`, { runtimeClassName: 'kata', ...privileged })),
      ...[1, 2, 3, 4].map((n) => pod(`rs1pod${n}`, { owner: 'rs1', ...privileged })),
      ...[1, 2, 3, 4].map((n) => pod(`rs2pod${n}`, { owner: 'rs2', ...hostNetwork })),
      pod('unique1', { restricted: true, container: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 0 } } }),
      pod('unique2', { restricted: true, container: { ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } } }),
      pod('unique3'),
      pod('unique4'),
    ];
    const warnings = await namespaceTighteningWarnings(namespaceUpdate({ [ENFORCE]: 'privileged' }, BASELINE), config, fakeLister(pods), { now: steppingClock(250) });
    expect(warnings).toEqual([
      'new PodSecurity enforce level only checked against the first 4 of 12 existing pods',
      'existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest"',
      'rs1pod1: privileged',
      'rs2pod1: host namespaces',
      'unique2: hostPort',
    ]);
  });

  it('checks at most 3,000 pods, and says so when the namespace holds more', async () => {
    const many = Array.from({ length: 3_005 }, (_, n) => pod(`pod-${String(n).padStart(4, '0')}`));
    const lister = fakeLister(many);
    const warnings = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), lister, STILL);
    expect(warnings).toEqual([
      'new PodSecurity enforce level only checked against the first 3000 of more than 3000 existing pods',
      RESTRICTED_HEADER,
      `pod-0000 (and 2999 other pods): ${PLAIN_AT_RESTRICTED}`,
    ]);
    expect(lister.calls[0]?.limit).toBe(3_001);

    const exactly = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), fakeLister(many.slice(0, 3_000)), STILL);
    expect(exactly).toEqual([RESTRICTED_HEADER, `pod-0000 (and 2999 other pods): ${PLAIN_AT_RESTRICTED}`]);
  });

  it('stops judging pods after 1 s, and reports how far it got', async () => {
    const pods = [pod('a'), pod('b'), pod('c'), pod('d')];
    const warnings = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), fakeLister(pods), { now: steppingClock(600) });
    expect(warnings).toEqual([
      'new PodSecurity enforce level only checked against the first 2 of 4 existing pods',
      RESTRICTED_HEADER,
      `a (and 1 other pod): ${PLAIN_AT_RESTRICTED}`,
    ]);
  });

  it('takes at most half of what is left of the request timeout', async () => {
    const pods = [pod('a'), pod('b'), pod('c'), pod('d')];
    const warnings = await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), fakeLister(pods), { now: steppingClock(300), timeoutMs: 1_000 });
    expect(warnings[0]).toBe('new PodSecurity enforce level only checked against the first 2 of 4 existing pods');
  });

  it('gives up on a listing that outlasts the budget, with PSA\'s warning, and aborts its signal', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const hanging: PodLister = {
      list(_namespace, options) {
        signal = options.signal;
        return new Promise(() => {});
      },
    };
    const result = namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), hanging);
    await vi.advanceTimersByTimeAsync(999);
    expect(signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual([LIST_FAILED_WARNING]);
    expect(signal?.aborted).toBe(true);
  });

  it('answers the listing warning when the listing fails or the request is abandoned', async () => {
    const failing: PodLister = { list: () => Promise.reject(new Error('the API server answered HTTP 403')) };
    expect(await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), failing, STILL)).toEqual([LIST_FAILED_WARNING]);
    const abandoned = AbortSignal.abort();
    expect(await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), fakeLister([pod('a')]), { signal: abandoned })).toEqual([LIST_FAILED_WARNING]);
  });

  it.each([
    ['a looser level', RESTRICTED, BASELINE],
    ['unchanged labels', RESTRICTED, RESTRICTED],
    ['an unrelated label', { ...BASELINE, owner: 'x' }, { ...BASELINE, owner: 'y' }],
    ['privileged', BASELINE, { [ENFORCE]: 'privileged' }],
    ['removing the labels (the default, baseline)', RESTRICTED, {}],
    ['an older version of the same level', { [ENFORCE]: 'restricted', [ENFORCE_VERSION]: 'v1.30' }, { [ENFORCE]: 'restricted', [ENFORCE_VERSION]: 'v1.25' }],
    ['latest to the newest known version (the same checks)', { [ENFORCE]: 'baseline', [ENFORCE_VERSION]: 'latest' }, { [ENFORCE]: 'baseline', [ENFORCE_VERSION]: 'v1.99' }],
    ['only the warn level', {}, { 'pod-security.kubernetes.io/warn': 'restricted' }],
  ])('lists nothing for %s', async (_name, oldLabels, newLabels) => {
    const lister = fakeLister([pod('root', { container: { securityContext: { privileged: true } } })]);
    expect(await namespaceTighteningWarnings(namespaceUpdate(oldLabels, newLabels), testConfig(), lister, STILL)).toEqual([]);
    expect(lister.calls).toEqual([]);
  });

  it('counts a newer version of the same level as stricter', async () => {
    const lister = fakeLister([pod('root', { container: { securityContext: { privileged: true } } })]);
    const warnings = await namespaceTighteningWarnings(
      namespaceUpdate({ [ENFORCE]: 'baseline', [ENFORCE_VERSION]: 'v1.0' }, { [ENFORCE]: 'baseline', [ENFORCE_VERSION]: 'v1.30' }),
      testConfig(),
      lister,
      STILL,
    );
    expect(warnings).toEqual(['existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:v1.30"', 'root: privileged']);
  });

  it.each([
    ['a Namespace CREATE', namespaceUpdate({}, RESTRICTED, { operation: 'CREATE' }), testConfig()],
    ['a subresource that cannot change labels', namespaceUpdate(BASELINE, RESTRICTED, { subResource: 'frobnicate' }), testConfig()],
    ['a namespace exempt from Pod Security', namespaceUpdate(BASELINE, RESTRICTED, { name: 'kube-system' }), testConfig()],
    ['a namespace exempt from the rule', namespaceUpdate(BASELINE, RESTRICTED), testConfig({ rules: { 'pod-security': { exemptNamespaces: ['team-a'] } } })],
    ['the rule only warning', namespaceUpdate(BASELINE, RESTRICTED), testConfig({ rules: { 'pod-security': { mode: 'warn' } } })],
    ['the namespace lowering the rule to warn', namespaceUpdate(BASELINE, { ...RESTRICTED, 'policygate.dev/mode': 'warn' }), testConfig()],
  ])('lists nothing for %s', async (_name, review, config) => {
    const lister = fakeLister([pod('web')]);
    expect(await namespaceTighteningWarnings(review, config, lister, STILL)).toEqual([]);
    expect(lister.calls).toEqual([]);
  });

  it('leaves out the checks the configuration does not enforce', async () => {
    const config = testConfig({ rules: { 'pod-security': { checks: { privileged: 'warn' } } } });
    const pods = [pod('root', { restricted: true, container: { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: true } } })];
    expect(await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), config, fakeLister(pods), STILL)).toEqual([]);
  });

  it('does nothing without a lister (no cluster)', async () => {
    expect(await namespaceTighteningWarnings(namespaceUpdate(BASELINE, RESTRICTED), testConfig(), undefined)).toEqual([]);
  });
});

describe('validateReview of a Namespace that tightens', () => {
  const pods = [pod('web-1'), pod('web-2')];

  it.each([false, true])('allows the update with the warnings, never a denial (dryRun %s)', async (dryRun) => {
    const decision = await validateReview(namespaceUpdate(BASELINE, RESTRICTED, { dryRun }), { config: testConfig(), namespaces: NO_CLUSTER, pods: fakeLister(pods) });
    expect(decision.decision).toBe('allowed');
    expect(decision.review.response.allowed).toBe(true);
    expect(decision.review.response.status).toBeUndefined();
    expect(decision.review.response.warnings).toEqual([RESTRICTED_HEADER, `web-1 (and 1 other pod): ${PLAIN_AT_RESTRICTED}`]);
  });

  it('allows the update when the pods cannot be listed', async () => {
    const failing: PodLister = { list: () => Promise.reject(new Error('connection refused')) };
    const decision = await validateReview(namespaceUpdate(BASELINE, RESTRICTED), { config: testConfig(), namespaces: NO_CLUSTER, pods: failing });
    expect(decision.review.response).toMatchObject({ allowed: true, warnings: [LIST_FAILED_WARNING] });
  });

  it('does not list pods for an update that is refused anyway', async () => {
    const lister = fakeLister(pods);
    const review = namespaceUpdate(BASELINE, RESTRICTED);
    review.request.userInfo = { username: 'jane', groups: ['system:authenticated'] };
    const decision = await validateReview(review, { config: testConfig(), namespaces: NO_CLUSTER, pods: lister });
    expect(decision.decision).toBe('denied');
    expect(lister.calls).toEqual([]);
  });

  // With a cluster, every UPDATE passes this way: only a real tightening may list pods and wait.
  it.each([
    ['a Namespace UPDATE that keeps its level', namespaceUpdate(BASELINE, { ...BASELINE, team: 'b' })],
    ['a Namespace UPDATE that loosens its level', namespaceUpdate(RESTRICTED, BASELINE)],
    [
      'a Pod UPDATE',
      {
        ...namespaceUpdate(BASELINE, BASELINE),
        request: { ...namespaceUpdate(BASELINE, BASELINE).request, kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'team-a', object: pod('web'), oldObject: pod('web') },
      },
    ],
  ])('answers %s at once, without listing pods', (_name, review) => {
    const lister = fakeLister(pods);
    const decision = validateReview(review, { config: testConfig(), namespaces: NO_CLUSTER, pods: lister });
    expect(decision).not.toBeInstanceOf(Promise);
    expect(decision).toMatchObject({ decision: 'allowed', review: { response: { uid: 'uid-1', allowed: true } } });
    expect(lister.calls).toEqual([]);
  });

  it('keeps the warnings within the API server\'s limits', async () => {
    // Every pod a different set of baseline violations: one warning line each, 63 in all.
    const violations: Array<Pick<PodOptions, 'container' | 'spec'>> = [
      { container: { securityContext: { privileged: true } } },
      { spec: { hostNetwork: true } },
      { container: { ports: [{ containerPort: 80, hostPort: 80 }] } },
      { container: { securityContext: { capabilities: { add: ['NET_ADMIN'] } } } },
      { spec: { volumes: [{ name: 'host', hostPath: { path: '/' } }] } },
      { spec: { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } } },
    ];
    const distinct = Array.from({ length: 63 }, (_, n) => {
      const chosen = violations.filter((_violation, bit) => ((n + 1) >> bit) & 1);
      const container = Object.assign({}, ...chosen.map((violation) => violation.container ?? {})) as Record<string, unknown>;
      const spec = Object.assign({}, ...chosen.map((violation) => violation.spec ?? {})) as Record<string, unknown>;
      return pod(`pod-${String(n).padStart(2, '0')}-${'x'.repeat(60)}`, { container, spec });
    });
    const config = testConfig({ rules: { 'pod-security': { defaults: { enforce: 'privileged' } } } });
    const decision = await validateReview(namespaceUpdate({}, BASELINE), { config, namespaces: NO_CLUSTER, pods: fakeLister(distinct) });
    const warnings = decision.review.response.warnings ?? [];
    expect(warnings.join('').length).toBeLessThanOrEqual(4096);
    expect(warnings.at(-1)).toMatch(/^policygate: \d+ more warnings not shown$/);
  });
});
