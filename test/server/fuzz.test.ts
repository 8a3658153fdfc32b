// Seeded fuzzing of what any pod that reaches the webhook can send: AdmissionReviews for every kind
// and subresource the webhook hears about (and some it should never hear about), bent at random:
// nesting around the limit, prototype keys (plain and escaped), odd values in place of objects,
// bodies cut short. Every body goes to /validate and /mutate and through `policygate review`, and:
//   - the server answers 200 with the request's uid, or 400 with a one-line reason; nothing else;
//   - a body nested deeper than 100 levels, or holding a prototype key, is refused, and only then;
//   - `review` refuses exactly the bodies the server refuses, and answers the others as /validate;
//   - a Namespace's labels changed through status or finalize are judged as on the Namespace, and
//     a pod subresource PSA judges is judged as ephemeralcontainers is.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewRequest } from '../../src/admission/index.js';
import { reviewCommand } from '../../src/cli/review.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';
import { buildApp } from '../../src/server/app.js';

/** mulberry32: the same bodies on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const LIMIT = 100;

function container(random: Random, name: string): Record<string, unknown> {
  return {
    name,
    image: pick(random, ['nginx:1.27', 'busybox', 'registry.example.com/app:2']),
    ...(random() < 0.3 ? { securityContext: { privileged: true } } : {}),
    ...(random() < 0.3 ? { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } } : {}),
  };
}

function pod(random: Random): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: pick(random, ['team-a', 'kube-system']), labels: { app: 'web' } },
    spec: { containers: [container(random, 'app')], ...(random() < 0.5 ? { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } } : {}) },
  };
}

function namespaceLabels(random: Random): Record<string, string> {
  const labels: Record<string, string> = {};
  if (random() < 0.8) labels.team = pick(random, ['payments', 'a', '']);
  if (random() < 0.5) labels['pod-security.kubernetes.io/enforce'] = pick(random, ['privileged', 'baseline', 'restricted', 'restriced']);
  if (random() < 0.3) labels['pod-security.kubernetes.io/warn-version'] = pick(random, ['latest', 'v1.30', 'v2']);
  if (random() < 0.2) labels['policygate.dev/mode'] = pick(random, ['audit', 'warn', 'off']);
  return labels;
}

function namespace(random: Random, labels = namespaceLabels(random)): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels }, spec: { finalizers: ['kubernetes'] } };
}

function networkPolicy(random: Random): Record<string, unknown> {
  const ingress = random() < 0.5 ? [{}] : [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }];
  const deleting = random() < 0.3 ? { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/hold'] } : {};
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'team-a', ...deleting }, spec: { podSelector: {}, ingress } };
}

const USERS = [
  { username: 'alice', groups: ['system:authenticated'] },
  { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
];

/** Which resource a review is for; object and oldObject are built to match. */
const TARGETS = [
  { resource: 'pods', subResource: '', build: pod },
  { resource: 'pods', subResource: 'ephemeralcontainers', build: pod },
  { resource: 'pods', subResource: 'resize', build: pod },
  { resource: 'pods', subResource: 'status', build: pod },
  { resource: 'pods', subResource: 'binding', build: () => ({ apiVersion: 'v1', kind: 'Binding', target: { name: 'node-1' } }) },
  { resource: 'pods', subResource: 'frobnicate', build: pod },
  { resource: 'pods', subResource: 'frobnicate', build: () => ({ apiVersion: 'v1', kind: 'Frobnication' }) },
  { resource: 'namespaces', subResource: '', build: namespace },
  { resource: 'namespaces', subResource: 'status', build: namespace },
  { resource: 'namespaces', subResource: 'finalize', build: namespace },
  { resource: 'networkpolicies', subResource: '', build: networkPolicy },
] as const;

function reviewFor(random: Random, uid: string): AdmissionReviewRequest & { request: Record<string, unknown> } {
  const target = pick(random, TARGETS);
  const object = target.build(random);
  const kind = String(object.kind);
  const operation = target.subResource !== '' || random() < 0.5 ? 'UPDATE' : 'CREATE';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: kind === 'NetworkPolicy' ? 'networking.k8s.io' : '', version: 'v1', kind },
      resource: { group: target.resource === 'networkpolicies' ? 'networking.k8s.io' : '', version: 'v1', resource: target.resource },
      ...(target.subResource ? { subResource: target.subResource } : {}),
      namespace: 'team-a',
      operation,
      userInfo: pick(random, USERS),
      object,
      ...(operation === 'UPDATE' ? { oldObject: target.build(random) } : {}),
    },
  };
}

/** Arrays and objects `levels` deep, with strings that hold brackets and escaped quotes. */
function nested(random: Random, levels: number): unknown {
  let value: unknown = pick(random, ['[{', '"]}"', 'x\\"[', 1, null]);
  for (let level = 0; level < levels; level++) value = random() < 0.5 ? [value] : { [pick(random, ['a', '[', 'k"'])]: value };
  return value;
}

/** Some object somewhere in the value (a path of keys), to bend. */
function someRecord(random: Random, root: Record<string, unknown>): { record: Record<string, unknown>; depth: number } {
  let record = root;
  let depth = 1;
  for (;;) {
    const children = Object.values(record).filter((value): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value));
    if (children.length === 0 || random() < 0.35) return { record, depth };
    record = pick(random, children);
    depth++;
  }
}

interface Body {
  text: string;
  /** What the body must get: refused for its nesting, refused for a prototype key, or judged (or refused as malformed). */
  expect: 'too deep' | 'prototype key' | 'no refusal for nesting or keys' | 'malformed';
  review: AdmissionReviewRequest;
}

function bodyFor(random: Random, index: number): Body {
  // A copy of its own: the bending below must not reach objects that reviews share (the users).
  const review = structuredClone(reviewFor(random, `fuzz-${index}`));
  const roll = random();
  if (roll < 0.3) {
    const { record, depth } = someRecord(random, review as unknown as Record<string, unknown>);
    // Around the limit: the inserted value adds `levels` to the depth of the object it is put in.
    const levels = Math.max(1, LIMIT - depth + Math.floor(random() * 7) - 3);
    record[`deep${index}`] = nested(random, levels);
    const total = depth + levels;
    return { text: JSON.stringify(review), expect: total > LIMIT ? 'too deep' : 'no refusal for nesting or keys', review };
  }
  if (roll < 0.4) {
    const { record } = someRecord(random, review as unknown as Record<string, unknown>);
    const escaped = random() < 0.5;
    const key = pick(random, ['__proto__', 'constructor']);
    const marker = `"poison${index}":0`;
    record[`poison${index}`] = 0;
    const written = key === '__proto__' ? `"${escaped ? '\\u005f_proto__' : '__proto__'}":{"admin":true}` : `"${escaped ? 'constructo\\u0072' : 'constructor'}":{"prototype":{"x":1}}`;
    return { text: JSON.stringify(review).replace(marker, written), expect: 'prototype key', review };
  }
  if (roll < 0.5) {
    const { record } = someRecord(random, review as unknown as Record<string, unknown>);
    const key = pick(random, Object.keys(record));
    record[key] = pick(random, [null, 0, 'x', [], [null, 1], true, { constructor: 'not an object' }]);
    return { text: JSON.stringify(review), expect: 'no refusal for nesting or keys', review };
  }
  if (roll < 0.55) {
    const text = JSON.stringify(review);
    return { text: text.slice(0, Math.floor(random() * text.length)), expect: 'malformed', review };
  }
  return { text: JSON.stringify(review), expect: 'no refusal for nesting or keys', review };
}

/** `policygate review -` in-process: the answer it prints, or the input error it refuses with. */
async function reviewCli(text: string): Promise<{ answer?: unknown; refusal?: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const stdin = new PassThrough();
  stdin.end(text);
  try {
    await reviewCommand.run(['-'], { stdout, stderr: new PassThrough(), stdin, env: {}, cwd: process.cwd() });
  } catch (error) {
    if (error instanceof InputError) return { refusal: error.message };
    throw error;
  }
  return { answer: JSON.parse(out) as unknown };
}

const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function post(app: FastifyInstance, url: string, text: string) {
  const response = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: text });
  return { status: response.statusCode, body: response.json() as { message?: string; response?: { uid: string; allowed: boolean } } };
}

describe('bad input, fuzzed', () => {
  it('answers 200 with the uid or a one-line 400, refuses exactly what is too deep or holds a prototype key, and review agrees', async () => {
    const app = buildApp({ config: DEFAULT_CONFIG });
    apps.push(app);
    const random = seeded(13);
    const seen = new Set<string>();
    for (let index = 0; index < 300; index++) {
      const body = bodyFor(random, index);
      seen.add(body.expect);
      const where = `body ${index} (${body.expect}): ${body.text.slice(0, 160)}`;
      for (const url of ['/validate', '/mutate']) {
        const { status, body: answer } = await post(app, url, body.text);
        expect([200, 400], `${url} ${where}`).toContain(status);
        // The uid as sent (an odd value may have replaced it: a string is still echoed).
        if (status === 200) expect(answer.response?.uid, where).toBe(body.review.request.uid);
        else expect(answer.message, where).not.toContain('\n');
        if (body.expect === 'too deep') expect(answer.message, where).toMatch(/^body nested deeper than 100 levels; /);
        if (body.expect === 'prototype key') expect(answer.message, where).toMatch(/^body holds a "(__proto__" key|constructor" key holding "prototype") at /);
        if (body.expect === 'no refusal for nesting or keys' && status === 400) expect(answer.message, where).not.toMatch(/nested deeper|holds a/);
      }
      const server = await post(app, '/validate', body.text);
      const cli = await reviewCli(body.text);
      if (server.status === 400) {
        expect(cli.refusal, where).toBeDefined();
        if (body.expect === 'too deep' || body.expect === 'prototype key') expect(cli.refusal, where).toContain(String(server.body.message).replace(/^body /, '').replace(/ \(at byte \d+\)$/, ''));
      } else {
        expect(cli.answer, where).toEqual(server.body);
      }
    }
    expect([...seen].sort()).toEqual(['malformed', 'no refusal for nesting or keys', 'prototype key', 'too deep']);
  });

  it('judges a Namespace relabelled through status or finalize as the Namespace itself, and PSA-judged pod subresources as ephemeralcontainers', async () => {
    const app = buildApp({ config: DEFAULT_CONFIG });
    apps.push(app);
    const random = seeded(7);
    let relabelled = 0;
    for (let index = 0; index < 150; index++) {
      const before = namespace(random);
      const after = namespace(random);
      const user = pick(random, USERS);
      const labelsChanged = JSON.stringify((before.metadata as { labels: unknown }).labels) !== JSON.stringify((after.metadata as { labels: unknown }).labels);
      const answers = [];
      for (const subResource of ['', 'status', 'finalize']) {
        const review = {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { uid: `ns-${index}`, kind: { group: '', version: 'v1', kind: 'Namespace' }, resource: { group: '', version: 'v1', resource: 'namespaces' }, ...(subResource ? { subResource } : {}), name: 'team-a', operation: 'UPDATE', userInfo: user, object: after, oldObject: before },
        };
        const { status, body } = await post(app, '/validate', JSON.stringify(review));
        expect(status).toBe(200);
        answers.push(body.response);
      }
      if (labelsChanged) {
        relabelled++;
        expect(answers[1], `status, labels ${JSON.stringify(before.metadata)} → ${JSON.stringify(after.metadata)}`).toEqual(answers[0]);
        expect(answers[2], 'finalize').toEqual(answers[0]);
      } else {
        expect(answers[1]?.allowed).toBe(true);
        expect(answers[2]?.allowed).toBe(true);
      }

      const oldPod = pod(random);
      const newPod = { ...oldPod, spec: { ...(oldPod.spec as object), ephemeralContainers: [container(random, 'debug')] } };
      const judged = [];
      for (const subResource of ['ephemeralcontainers', 'frobnicate', 'status']) {
        const review = {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { uid: `pod-${index}`, kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, subResource, namespace: 'team-a', operation: 'UPDATE', userInfo: user, object: newPod, oldObject: oldPod },
        };
        judged.push((await post(app, '/validate', JSON.stringify(review))).body.response);
      }
      expect(judged[1], 'an unknown pod subresource').toEqual(judged[0]);
      expect(judged[2]?.allowed, 'status is never judged').toBe(true);
    }
    expect(relabelled).toBeGreaterThan(100);
  });
});
