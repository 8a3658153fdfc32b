// `policygate review` replays an AdmissionReview through the code path of /validate and /mutate. The
// real binary's answer must be the server's answer, byte for byte once parsed, for every review.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { namespacesFromObjects, parseManifests } from '../../src/manifests/index.js';
import { buildApp } from '../../src/server/app.js';
import { FIXTURES, ROOT, runCli } from './run-cli.js';

const REVIEWS = join(FIXTURES, 'reviews');
const VALID_REVIEWS = readdirSync(REVIEWS).filter((file) => file !== 'not-a-review.json');

describe('review', () => {
  it('prints the response AdmissionReview of /validate, and the reason on stderr; a denial exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['review', 'reviews/pod-privileged.json']);
    expect(JSON.parse(stdout)).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: '5f1c9a52-0001-4c1e-9d7e-000000000001',
        allowed: false,
        status: {
          code: 403,
          reason: 'Forbidden',
          message: 'violates PodSecurity "baseline:latest": privileged (container "shell" must not set securityContext.privileged=true)',
        },
        auditAnnotations: { 'policygate-pod-security': expect.stringContaining('PodSecurity "restricted:latest": privileged') },
      },
    });
    expect(stderr).toBe('denied by pod-security/privileged\n');
    expect(code).toBe(1);
  });

  it('exits 0 when the request is allowed, and reads YAML and standard input', async () => {
    const allowed = await runCli(['review', '-'], { stdin: readFileSync(join(REVIEWS, 'pod-exec.yaml'), 'utf8') });
    expect(JSON.parse(allowed.stdout)).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '5f1c9a52-0008-4c1e-9d7e-000000000008', allowed: true } });
    expect(allowed.stderr).toBe('no rule applies to PodExecOptions\n');
    expect(allowed.code).toBe(0);
  });

  it('takes the Namespaces of --namespaces as the cluster’s', async () => {
    // A Deployment that meets baseline but not restricted, in team-a, which enforces restricted.
    const stdin = readFileSync(join(REVIEWS, 'deployment-warnings.json'), 'utf8').replaceAll('"team-b"', '"team-a"');
    type Response = { response: { allowed: boolean; warnings?: string[]; status?: { code: number } } };
    // Without the cluster's namespaces, the configured defaults apply: restricted is only warned about.
    const without = await runCli(['review', '-'], { stdin });
    // The warning kubectl prints is worded as Pod Security Admission words it: one line for the template,
    // whole, although longer than 256 characters (the API server cuts only past 4096 in all).
    const failures = [
      'allowPrivilegeEscalation != false (container "api" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (container "api" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or container "api" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "api" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ];
    expect((JSON.parse(without.stdout) as Response).response).toMatchObject({ allowed: true, warnings: [`would violate PodSecurity "restricted:latest": ${failures.join(', ')}`] });
    expect(without.code).toBe(0);
    // With them, team-a's label enforces restricted.
    const withNamespaces = await runCli(['review', '--namespaces', 'team-namespaces.yaml', '-'], { stdin });
    expect((JSON.parse(withNamespaces.stdout) as Response).response).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(withNamespaces.stderr).toMatch(/^denied by pod-security\/allowPrivilegeEscalation, /);
    expect(withNamespaces.code).toBe(1);
  });

  it('answers as /mutate with --mutate, the patch in base64', async () => {
    const { code, stdout, stderr } = await runCli(['review', '--mutate', '--config', 'warn-config.yaml', 'reviews/namespace-unlabelled.json']);
    const { response } = JSON.parse(stdout) as { response: { allowed: boolean; patchType: string; patch: string } };
    expect(response.allowed).toBe(true);
    expect(response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'))).toEqual([{ op: 'add', path: '/metadata/labels', value: { team: 'unowned' } }]);
    expect(stderr).toBe('patched by namespace-label-defaults\n');
    expect(code).toBe(0);
  });

  it("patches with the README's mutate configuration (the default changes nothing)", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const config = /<!-- mutate-config -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    if (config === undefined) throw new Error('README.md: the mutate-config example is missing');
    const directory = mkdtempSync(join(tmpdir(), 'policygate-review-mutate-'));
    try {
      writeFileSync(join(directory, 'mutate.yaml'), config);
      const patchOf = async (review: string, ...flags: string[]) => {
        const { code, stdout } = await runCli(['review', '--mutate', ...flags, join(REVIEWS, review)], { cwd: directory });
        expect(code).toBe(0);
        const { patch } = (JSON.parse(stdout) as { response: { patch?: string } }).response;
        return patch === undefined ? [] : (JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as { op: string; path: string; value: unknown }[]);
      };
      expect(await patchOf('namespace-unlabelled.json')).toEqual([]);
      expect(await patchOf('namespace-unlabelled.json', '--config', 'mutate.yaml')).toEqual([{ op: 'add', path: '/metadata/labels', value: { team: 'unowned' } }]);
      expect(await patchOf('deployment-warnings.json')).toEqual([]);
      expect((await patchOf('deployment-warnings.json', '--config', 'mutate.yaml')).map((operation) => operation.path)).toEqual([
        '/spec/template/spec/securityContext',
        '/spec/template/spec/containers/0/securityContext',
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it.each([
    [['review'], 'policygate review: no FILE given: name a file holding an AdmissionReview, or - for standard input (see --help)\n'],
    [['review', 'a.json', 'b.json'], 'policygate review: one AdmissionReview at a time (got 2 files)\n'],
    [['review', 'missing.json'], 'policygate review: missing.json: cannot read: no such file or directory\n'],
    [['review', 'reviews/not-a-review.json'], 'policygate review: reviews/not-a-review.json: not a usable AdmissionReview: request.uid is missing: it must be echoed in the response\n'],
    [['review', 'reviews'], 'policygate review: reviews: is a directory, not a file\n'],
    [['review', 'psa.yaml'], 'policygate review: psa.yaml: not a usable AdmissionReview: kind must be "AdmissionReview" (got "Pod")\n'],
  ])('input error: %j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(stderr).toBe(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  // The webhook answers these bodies 400 with the same words (test/server/app.test.ts).
  const pod = readFileSync(join(REVIEWS, 'pod-restricted.json'), 'utf8');
  it.each([
    [
      'JSON nested deeper than 100 levels',
      pod.replace('"spec": {', `"spec": {"affinity": ${'['.repeat(97)}${']'.repeat(97)},`),
      /^policygate review: <stdin>:\d+:\d+: nested deeper than 100 levels; no Kubernetes object nests that deep, so policygate refuses it unparsed\n$/,
    ],
    [
      'YAML nested deeper than 100 levels',
      `apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  object: ${'['.repeat(100)}${']'.repeat(100)}\n`,
      /^policygate review: <stdin>:4:110: nested deeper than 100 levels; no Kubernetes object nests that deep, so policygate refuses it unparsed\n$/,
    ],
    [
      'a __proto__ key in JSON',
      pod.replace('"metadata": {', '"metadata": {"__proto__": {"admin": "true"},'),
      /^policygate review: <stdin>: holds a "__proto__" key at request\.object\.metadata\.__proto__: no Kubernetes object has one, and in JavaScript it would reach the prototype of every object\n$/,
    ],
    [
      'a __proto__ key in YAML',
      'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: x\n  object:\n    metadata:\n      __proto__: {admin: true}\n',
      /^policygate review: <stdin>: holds a "__proto__" key at request\.object\.metadata\.__proto__: /,
    ],
  ])('refuses, as the webhook does: %s', async (_name, stdin, message) => {
    const { code, stdout, stderr } = await runCli(['review', '-'], { stdin });
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('judges a review nested 100 levels deep', async () => {
    const stdin = readFileSync(join(REVIEWS, 'pod-restricted.json'), 'utf8').replace('"spec": {', `"spec": {"affinity": ${'['.repeat(96)}${']'.repeat(96)},`);
    const { code, stderr } = await runCli(['review', '-'], { stdin });
    expect(stderr).toBe('allowed: pod-security found nothing\n');
    expect(code).toBe(0);
  });
});

// Concurrent: each case waits on a child process, and there are 32 of them.
describe.concurrent('review answers exactly as the server', () => {
  const apps: { close(): Promise<unknown> }[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  const SETUPS = [
    { name: 'embedded default, no cluster', args: [] as string[], config: undefined, namespaces: undefined },
    { name: 'a configuration and the cluster’s namespaces', args: ['--config', 'warn-config.yaml', '--namespaces', 'team-namespaces.yaml'], config: 'warn-config.yaml', namespaces: 'team-namespaces.yaml' },
  ];

  for (const setup of SETUPS) {
    it.for(VALID_REVIEWS.flatMap((file) => [['validate', file] as const, ['mutate', file] as const]))(`${setup.name}: /%s %s`, async ([endpoint, file], { expect }) => {
      const config = await loadConfig(setup.config === undefined ? undefined : join(FIXTURES, setup.config));
      const namespaces =
        setup.namespaces === undefined
          ? undefined
          : namespacesFromObjects(parseManifests(setup.namespaces, readFileSync(join(FIXTURES, setup.namespaces), 'utf8')).documents.map((document) => document.object));
      const app = buildApp({ config, ...(namespaces ? { namespaces } : {}) });
      apps.push(app);
      const text = readFileSync(join(REVIEWS, file), 'utf8');
      const body = file.endsWith('.json') ? (JSON.parse(text) as unknown) : load(text);
      const server = await app.inject({ method: 'POST', url: `/${endpoint}`, payload: body as object });
      expect(server.statusCode).toBe(200);

      const cli = await runCli(['review', ...setup.args, ...(endpoint === 'mutate' ? ['--mutate'] : []), join('reviews', file)]);
      expect(JSON.parse(cli.stdout)).toEqual(server.json());
      expect(cli.code).toBe((server.json() as { response: { allowed: boolean } }).response.allowed ? 0 : 1);
    });
  }
});
