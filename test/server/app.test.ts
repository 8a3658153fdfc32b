// The decision wiring through app.inject(): what /validate and /mutate answer, what they refuse, what
// they log and count. The transport (TLS, HTTP/2, reload, shutdown) is in transport.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AdmissionReviewResponse } from '../../src/admission/index.js';
import { podSecurity } from '../../src/rules/pod-security.js';
import type { PolicyConfig } from '../../src/rules/types.js';
import { buildApp, BODY_LIMIT, type AppDeps } from '../../src/server/app.js';
import { createMetrics } from '../../src/server/metrics.js';
import { testConfig } from '../helpers/config.js';
import { allowAllNetworkPolicy, capturedLogger, namespaceObject, pod, restrictedPod, reviewOf } from './helpers.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const app of apps.splice(0)) await app.close();
});

function build(deps: Partial<AppDeps> = {}) {
  const log = capturedLogger();
  const metrics = createMetrics();
  const app = buildApp({ config: testConfig(), logger: log.logger, metrics, ...deps });
  apps.push(app);
  return { app, log, metrics };
}

async function post(app: FastifyInstance, url: string, body: unknown, contentType = 'application/json') {
  const response = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': contentType },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, json: () => response.json() as AdmissionReviewResponse & { message?: string }, text: response.body, headers: response.headers };
}

describe('POST /validate', () => {
  it('allows a restricted pod and echoes the uid', async () => {
    const { app } = build();
    const review = reviewOf(restrictedPod(), { uid: 'uid-allowed' });
    const response = await post(app, '/validate', review);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'uid-allowed', allowed: true } });
  });

  it('denies a privileged pod with 403 and the reason', async () => {
    const { app } = build();
    const { response } = (await post(app, '/validate', reviewOf(pod({ privileged: true }), { uid: 'uid-denied' }))).json();
    expect(response.uid).toBe('uid-denied');
    expect(response.allowed).toBe(false);
    expect(response.status).toEqual({
      code: 403,
      reason: 'Forbidden',
      message: 'violates PodSecurity "baseline:latest": privileged (container "web" must not set securityContext.privileged=true)',
    });
  });

  it('denies a Namespace without the required label and a NetworkPolicy open to all', async () => {
    const { app } = build();
    const namespace = (await post(app, '/validate', reviewOf(namespaceObject('team-b')))).json().response;
    expect(namespace.allowed).toBe(false);
    expect(namespace.status?.message).toContain('team');
    const policy = (await post(app, '/validate', reviewOf(allowAllNetworkPolicy()))).json().response;
    expect(policy.allowed).toBe(false);
    expect(policy.status?.code).toBe(403);
  });

  it.each([
    { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'from-all' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['all'] }] } },
    { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'allow' }, spec: { selector: 'all()', ingress: [{ action: 'Allow' }] } },
    { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'allow', namespace: 'team-a' }, spec: { ingress: [{ action: 'Allow', protocol: 'TCP' }] } },
    { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'egress' }, spec: { priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Allow', to: [{ networks: ['::/0'] }] }] } },
  ])('denies a $kind ($apiVersion) open to everyone, with the witness', async (object) => {
    const { app } = build();
    const response = (await post(app, '/validate', reviewOf(object))).json().response;
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(403);
    expect(response.status?.message).toMatch(/^spec\.(ingress|egress)\[0\]: (ingress|egress) rule admits every (source|destination) on every port \(/);
  });

  it('answers v1beta1 in kind', async () => {
    const { app } = build();
    const body = (await post(app, '/validate', reviewOf(restrictedPod(), { uid: 'old', apiVersion: 'admission.k8s.io/v1beta1' }))).json();
    expect(body.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(body.response.uid).toBe('old');
  });

  it('allows DELETE without looking', async () => {
    const { app } = build();
    const body = (await post(app, '/validate', reviewOf(pod({ privileged: true }), { operation: 'DELETE', uid: 'gone' }))).json();
    expect(body.response).toEqual({ uid: 'gone', allowed: true });
  });

  it('uses the namespace lookup for pods, and fails closed in enforce mode when it throws', async () => {
    const lookups: string[] = [];
    const { app } = build({
      namespaces: {
        get(name) {
          lookups.push(name);
          if (name === 'broken') throw new Error('namespace "broken" not found');
          return { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } };
        },
      },
    });
    const restricted = (await post(app, '/validate', reviewOf(pod({ namespace: 'team-a' })))).json().response;
    expect(restricted.allowed).toBe(false);
    expect(restricted.status?.message).toContain('restricted:latest');
    const broken = (await post(app, '/validate', reviewOf(restrictedPod('web', 'broken')))).json().response;
    expect(broken.allowed).toBe(false);
    expect(broken.status?.code).toBe(500);
    expect(broken.status?.message).toContain('namespace "broken" not found');
    expect(lookups).toEqual(['team-a', 'broken']);
  });

  it('answers when a rule throws: denied in enforce mode with the reason, logged and counted', async () => {
    const { app, log, metrics } = build();
    vi.spyOn(podSecurity, 'evaluate').mockImplementation(() => {
      throw new TypeError('boom in a rule');
    });
    const { response } = (await post(app, '/validate', reviewOf(restrictedPod(), { uid: 'rule-threw' }))).json();
    expect(response.uid).toBe('rule-threw');
    expect(response.allowed).toBe(false);
    expect(response.status?.code).toBe(500);
    expect(response.status?.message).toContain('boom in a rule');
    const line = log.lines.find((entry) => entry.uid === 'rule-threw');
    expect(line?.level).toBe(40);
    expect(line?.ruleErrors).toEqual(['pod-security: boom in a rule']);
    expect(await metrics.registry.getSingleMetricAsString('policygate_rule_errors_total')).toContain('policygate_rule_errors_total{webhook="validate",rule="pod-security"} 1');
  });

  it('answers when the decision layer itself throws: fails closed, no detail to the caller', async () => {
    const broken = testConfig() as unknown as { rules: Record<string, unknown> };
    delete broken.rules['pod-security'];
    const { app, log, metrics } = build({ config: broken as unknown as PolicyConfig });
    const { response } = (await post(app, '/validate', reviewOf(restrictedPod(), { uid: 'layer-threw' }))).json();
    expect(response).toMatchObject({ uid: 'layer-threw', allowed: false, status: { code: 500, reason: 'InternalError' } });
    expect(response.status?.message).not.toMatch(/at .*\.ts:\d+/);
    const line = log.lines.find((entry) => entry.uid === 'layer-threw');
    expect(line?.level).toBe(50);
    expect((line?.err as { stack?: string } | undefined)?.stack).toBeDefined();
    expect(await metrics.registry.getSingleMetricAsString('policygate_internal_errors_total')).toContain('{webhook="validate"} 1');
  });
});

describe('POST /mutate', () => {
  it('returns a base64 JSON Patch when a mutation applies, and nothing when none does', async () => {
    const config = testConfig({ mutations: { podSecurityContextDefaults: true } });
    const { app } = build({ config });
    const patched = (await post(app, '/mutate', reviewOf(pod(), { uid: 'mutate-1' }))).json().response;
    expect(patched.uid).toBe('mutate-1');
    expect(patched.allowed).toBe(true);
    expect(patched.patchType).toBe('JSONPatch');
    const operations = JSON.parse(Buffer.from(patched.patch ?? '', 'base64').toString('utf8')) as unknown;
    // pod() sets no securityContext: restricted's defaults are added, pod-level and for its one container.
    expect(operations).toEqual([
      { op: 'add', path: '/spec/securityContext', value: { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true } },
      { op: 'add', path: '/spec/containers/0/securityContext', value: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
    ]);
    const untouched = (await post(app, '/mutate', reviewOf(allowAllNetworkPolicy(), { uid: 'mutate-2' }))).json().response;
    expect(untouched).toEqual({ uid: 'mutate-2', allowed: true });
  });
});

describe('bad input', () => {
  const cases: Array<{ name: string; body: string; message: RegExp }> = [
    { name: 'malformed JSON', body: '{"kind": "AdmissionReview", ', message: /JSON/ },
    { name: 'not an object', body: '[1, 2]', message: /JSON object/ },
    { name: 'not an AdmissionReview', body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod' }), message: /kind must be "AdmissionReview"/ },
    { name: 'no request', body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), message: /request is missing/ },
    {
      name: 'no uid',
      body: JSON.stringify({ ...reviewOf(pod()), request: { ...reviewOf(pod()).request, uid: undefined } }),
      message: /request.uid is missing/,
    },
    {
      name: 'prototype poisoning',
      body: '{"__proto__": {"admin": true}}',
      message: /^body holds a "__proto__" key at __proto__: no Kubernetes object has one, and in JavaScript it would reach the prototype of every object$/,
    },
    { name: 'escaped prototype poisoning', body: '{"a": [{"\\u005f_proto__": {}}]}', message: /^body holds a "__proto__" key at a\[0\]\.__proto__: / },
    { name: 'constructor.prototype', body: '{"request": {"constructor": {"prototype": {"x": 1}}}}', message: /^body holds a "constructor" key holding "prototype" at request\.constructor: / },
    { name: 'nesting deeper than 100 levels', body: `{"a":${'['.repeat(101)}${']'.repeat(101)}}`, message: /^body nested deeper than 100 levels; no Kubernetes object nests that deep, so policygate refuses it unparsed \(at byte 105\)$/ },
    { name: 'empty body', body: '', message: /empty/i },
    { name: 'invalid UTF-8 and binary', body: '\u0000\u0001\uFFFF', message: /not valid JSON/ },
  ];
  for (const { name, body, message } of cases) {
    it(`answers 400 with a one-line reason: ${name}`, async () => {
      const { app, metrics, log } = build();
      const response = await post(app, '/validate', body);
      expect(response.status).toBe(400);
      const answer = response.json() as unknown as { statusCode: number; error: string; message: string };
      expect(Object.keys(answer).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(answer).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(answer.message).toMatch(message);
      expect(answer.message).not.toContain('\n');
      expect(log.lines).toEqual([expect.objectContaining({ level: 30, msg: 'refused a request', url: '/validate', status: 400, reason: answer.message })]);
      expect(await metrics.registry.getSingleMetricAsString('policygate_bad_requests_total')).toContain('{webhook="validate",code="400"} 1');
    });
  }

  it('accepts __proto__ and constructor as words in values, and a constructor key that is not an object', async () => {
    const { app } = build();
    const object = restrictedPod();
    object.metadata = { ...object.metadata, annotations: { note: '__proto__ and constructor are words; \u00e9 too' }, labels: { constructor: 'me' } };
    const response = await post(app, '/validate', reviewOf(object, { uid: 'words' }));
    expect(response.status).toBe(200);
    expect(response.json().response.uid).toBe('words');
    const escaped = await post(app, '/validate', JSON.stringify(reviewOf(restrictedPod(), { uid: 'escaped' })).replace('"web"', '"\\u0077eb"'));
    expect(escaped.text).toContain('"uid":"escaped"');
    expect(escaped.status).toBe(200);
  });

  it('answers 415 to a content type other than JSON', async () => {
    const { app, metrics } = build();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/yaml']) {
      const response = await post(app, '/validate', JSON.stringify(reviewOf(pod())), type);
      expect(response.status).toBe(415);
      expect(response.json()).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    }
    const untyped = await app.inject({ method: 'POST', url: '/mutate', payload: JSON.stringify(reviewOf(pod())) });
    expect(untyped.statusCode).toBe(415);
    const counted = await metrics.registry.getSingleMetricAsString('policygate_bad_requests_total');
    expect(counted).toContain('{webhook="validate",code="415"} 3');
    expect(counted).toContain('{webhook="mutate",code="415"} 1');
  });

  it('accepts an AdmissionReview of 3 MiB and answers 413 above the limit', async () => {
    const { app } = build();
    const padded = (bytes: number) => {
      const object = restrictedPod();
      const review = reviewOf(object, { uid: 'big' });
      const base = JSON.stringify(review).length;
      object.metadata = { ...object.metadata, annotations: { padding: 'x'.repeat(bytes - base - 30) } };
      return JSON.stringify(review);
    };
    const accepted = padded(3 * 1024 * 1024);
    expect(accepted.length).toBeGreaterThan(3 * 1024 * 1024 - 100);
    const ok = await post(app, '/validate', accepted);
    expect(ok.status).toBe(200);
    expect(ok.json().response.uid).toBe('big');
    const tooBig = await post(app, '/validate', padded(BODY_LIMIT + 1024));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('keeps 5xx answers generic', async () => {
    const { app } = build();
    app.get('/boom', () => {
      throw new Error('secret detail from deep inside');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret detail');
    expect(response.body).not.toContain('.ts:');
  });

  it('refuses a body nested deeper than 100 levels, wherever, before parsing it, and judges one nested 100 levels', async () => {
    const { app } = build();
    const nested = (levels: number, open = '{"a":', inner = '{}', close = '}') => `${open.repeat(levels - 1)}${inner}${close.repeat(levels - 1)}`;
    const withNesting = (object: Record<string, unknown>, uid: string, value: string) => JSON.stringify(reviewOf(object as never, { uid })).replace('"NESTED"', value);
    // The review itself, `request`, `object` and `spec` are four levels above the value in spec.affinity.
    const refused = [
      ['deep-envelope', { ...restrictedPod(), extra: 'NESTED' }, nested(100_000)],
      ['deep-spec', { ...restrictedPod(), spec: { ...(restrictedPod().spec as object), affinity: 'NESTED' } }, nested(97)],
      ['deep-arrays', { ...restrictedPod(), spec: { ...(restrictedPod().spec as object), affinity: 'NESTED' } }, nested(97, '[', '[]', ']')],
    ] as const;
    for (const [uid, object, value] of refused) {
      const response = await post(app, '/validate', withNesting(object, uid, value));
      expect(response.status, uid).toBe(400);
      expect(response.json().message, uid).toMatch(/^body nested deeper than 100 levels; .* \(at byte \d+\)$/);
    }
    // A pod review at the limit is judged; brackets inside strings (with escaped quotes) are not nesting.
    const inStrings = JSON.stringify({ note: `"[[[{{{${'['.repeat(200)}\\"` });
    for (const [uid, value] of [['at-limit', nested(96)], ['brackets-in-strings', `${nested(90, '{"a":', inStrings)}`]] as const) {
      const response = await post(app, '/validate', withNesting({ ...restrictedPod(), spec: { ...(restrictedPod().spec as object), affinity: 'NESTED' } }, uid, value));
      expect(response.status, uid).toBe(200);
      expect(response.json().response, uid).toEqual({ uid, allowed: true });
    }
  });

  it('refuses a 3 MB body of arrays nested 1.5 million deep in milliseconds, not the seconds it takes to parse', async () => {
    const { app } = build();
    const hostile = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":${'['.repeat(1_500_000)}${']'.repeat(1_500_000)}}}`;
    const started = performance.now();
    const response = await post(app, '/validate', hostile);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(400);
    expect(response.json().message).toMatch(/^body nested deeper than 100 levels; /);
    // Loose: speed belongs to `npm run bench -- hostile`; parsing it took over a second.
    expect(elapsed).toBeLessThan(500);
  });

  it('refuses a body of more arrays and objects than any Kubernetes object holds, unparsed, and judges one within the cap', async () => {
    const { app } = build();
    // Shallow (two levels), so only the count stops it: 3 MB of `[]` is 1.5 million arrays to build.
    const withArrays = (uid: string, count: number) =>
      JSON.stringify(reviewOf({ ...restrictedPod(), metadata: { ...(restrictedPod().metadata as object), name: 'p' }, spec: { ...(restrictedPod().spec as object), affinity: 'ARRAYS' } } as never, { uid })).replace('"ARRAYS"', `[${Array.from({ length: count }, () => '[]').join(',')}]`);
    const refused = await post(app, '/validate', withArrays('too-many', 1_000_000));
    expect(refused.status).toBe(400);
    expect(refused.json().message).toMatch(/^body holds more than 200000 arrays and objects; no Kubernetes object holds that many, so policygate refuses it unparsed \(at byte \d+\)$/);
    const judged = await post(app, '/validate', withArrays('within', 150_000));
    expect(judged.status).toBe(200);
    expect(judged.json().response).toEqual({ uid: 'within', allowed: true });
  });

  it('answers 503 to a body that would take the bytes it holds past its cap, and keeps answering', async () => {
    const { app } = build({ maxHeldBodyBytes: 64 * 1024 });
    const padded = JSON.stringify({ ...reviewOf(restrictedPod(), { uid: 'big' }), padding: 'x'.repeat(100 * 1024) });
    const refused = await post(app, '/validate', padded);
    expect(refused.status).toBe(503);
    expect(refused.json()).toMatchObject({ statusCode: 503, message: 'the webhook holds 65536 bytes of request bodies already; retry' });
    const ok = await post(app, '/validate', reviewOf(restrictedPod(), { uid: 'small' }));
    expect(ok.status).toBe(200);
    expect(ok.json().response).toEqual({ uid: 'small', allowed: true });
  });

  it('survives odd objects without crashing', async () => {
    const { app } = build();
    // The envelope is valid, so each is judged (never refused): the rules skip what is not a container.
    // The Deployment's one container has no name and a securityContext that is not an object: restricted's
    // warn and audit findings, as for a container that sets nothing.
    const unnamedContainer = [
      'allowPrivilegeEscalation != false (container "" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (container "" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or container "" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ];
    const odd: Array<{ object: unknown; expected: Record<string, unknown> }> = [
      { object: { ...restrictedPod(), spec: { containers: 'not a list' } }, expected: { allowed: true } },
      { object: { ...restrictedPod(), spec: { containers: [null, 1, 'x'] } }, expected: { allowed: true } },
      { object: { apiVersion: 'v1', kind: 'Pod', metadata: 'not an object' }, expected: { allowed: true } },
      {
        object: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [{ securityContext: [] }] } } } },
        expected: {
          allowed: true,
          warnings: [`would violate PodSecurity "restricted:latest": ${unnamedContainer.join(', ')}`],
          auditAnnotations: { 'policygate-pod-security': `would violate PodSecurity "restricted:latest": ${unnamedContainer.join(', ')}` },
        },
      },
    ];
    for (const [index, { object, expected }] of odd.entries()) {
      const response = await post(app, '/validate', reviewOf(object as never, { uid: `odd-${index}` }));
      expect(response.status).toBe(200);
      expect(response.json().response).toEqual({ uid: `odd-${index}`, ...expected });
    }
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });
});

describe('log lines', () => {
  it('writes one line per decision with the fields, and never the object', async () => {
    const { app, log } = build();
    await post(app, '/validate', reviewOf(pod({ privileged: true, secret: 'hunter2-secret', name: 'db', namespace: 'prod' }), { uid: 'logged', username: 'alice' }));
    // Every field, and nothing else: no dryRun (false), no ruleErrors, no patchOperations, no object.
    expect(log.lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        webhook: 'validate',
        uid: 'logged',
        kind: 'Pod',
        namespace: 'prod',
        name: 'db',
        operation: 'CREATE',
        user: 'alice',
        decision: 'denied',
        reason: 'denied by pod-security/privileged',
        rules: ['pod-security'],
        hits: [
          'pod-security/privileged:enforce',
          'pod-security/privileged:audit',
          'pod-security/allowPrivilegeEscalation:audit',
          'pod-security/capabilities_restricted:audit',
          'pod-security/runAsNonRoot:audit',
          'pod-security/seccompProfile_restricted:audit',
        ],
        durationMs: expect.any(Number),
        msg: 'admission decision',
      },
    ]);
    expect(log.text()).not.toContain('hunter2-secret');
  });
});

describe('health and metrics', () => {
  it('is ready once the namespace cache has synced', async () => {
    let synced = false;
    const { app } = build({ namespaces: { get: () => undefined, synced: () => synced } });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    synced = true;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('is ready at once without a cluster', async () => {
    const { app } = build();
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('counts requests by kind, operation and decision, and findings by rule, check and mode', async () => {
    const metrics = createMetrics({ namespaceCacheSize: () => 7 });
    const { app } = build({ metrics });
    await post(app, '/validate', reviewOf(pod({ privileged: true })));
    await post(app, '/validate', reviewOf(restrictedPod()));
    await post(app, '/validate', reviewOf({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }));
    const response = await app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toContain('policygate_admission_requests_total{webhook="validate",kind="Pod",operation="CREATE",decision="denied"} 1');
    expect(text).toContain('policygate_admission_requests_total{webhook="validate",kind="Pod",operation="CREATE",decision="allowed"} 1');
    expect(text).toContain('policygate_admission_requests_total{webhook="validate",kind="other",operation="CREATE",decision="allowed"} 1');
    expect(text).toContain('policygate_findings_total{rule="pod-security",check="privileged",mode="enforce"} 1');
    expect(text).toContain('policygate_admission_duration_seconds_count{webhook="validate"} 3');
    expect(text).toContain('policygate_admission_duration_seconds_bucket{le="10",webhook="validate"} 3');
    expect(text).toContain('policygate_admission_duration_seconds_bucket{le="+Inf",webhook="validate"} 3');
    expect(text).toContain('# TYPE policygate_admission_duration_seconds histogram');
    expect(text).toMatch(/policygate_admission_duration_seconds_sum\{webhook="validate"\} [0-9.e-]+\n/);
    // Counted again on the next scrape, not twice.
    await post(app, '/validate', reviewOf(restrictedPod()));
    const again = (await app.inject({ url: '/metrics' })).body;
    expect(again).toContain('policygate_admission_requests_total{webhook="validate",kind="Pod",operation="CREATE",decision="allowed"} 2');
    expect(again).toContain('policygate_findings_total{rule="pod-security",check="privileged",mode="enforce"} 1');
    expect(text).toContain('policygate_namespace_cache_size 7');
  });

  it('counts namespace lookups by source and result, flushed on each scrape', async () => {
    const { app, metrics } = build();
    for (let hit = 0; hit < 3; hit++) metrics.recordNamespaceLookup('cache', 'found');
    metrics.recordNamespaceLookup('api', 'found');
    metrics.recordNamespaceLookup('api', 'error');
    metrics.recordNamespaceLookup('api', 'error');
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toContain('# TYPE policygate_namespace_lookups_total counter');
    expect(text).toContain('policygate_namespace_lookups_total{source="cache",result="found"} 3\n');
    expect(text).toContain('policygate_namespace_lookups_total{source="api",result="found"} 1\n');
    expect(text).toContain('policygate_namespace_lookups_total{source="api",result="error"} 2\n');
    // Counted once per lookup, whatever the number of scrapes in between.
    metrics.recordNamespaceLookup('cache', 'found');
    const again = await metrics.registry.metrics();
    expect(again).toContain('policygate_namespace_lookups_total{source="cache",result="found"} 4\n');
    expect(again).toContain('policygate_namespace_lookups_total{source="api",result="error"} 2\n');
  });

  it('closes the namespace source with the app', async () => {
    const close = vi.fn();
    const { app } = build({ namespaces: { get: () => undefined, close } });
    await app.close();
    expect(close).toHaveBeenCalledOnce();
  });
});
