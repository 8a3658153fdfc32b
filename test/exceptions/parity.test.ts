// Exceptions apply identically in the webhook, `check`, `review` and the audit. One configuration
// (config.yaml: a workload's hostPath, one container's root user, a vendor image run privileged, a
// legacy namespace and its open ingress, one expired exception, one that matches nothing) and one
// corpus (corpus.yaml: the workloads and the pods their controllers made, with their owner
// references) go through:
// - the webhook over real TLS (startServer, POST /mutate then /validate), its decision log read back;
// - the `policygate check --format json` binary;
// - the `policygate review` binary, one AdmissionReview file per object;
// - the `policygate audit --format json` binary against a fake API server holding the corpus.
// Per object, what each excepted (rule/check:exception) and what each still enforces or warns about
// must be the same; review must answer exactly what the server answered.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AdmissionResponse, AdmissionReviewRequest } from '../../src/admission/types.js';
import { loadConfig } from '../../src/config/load.js';
import { applyJsonPatch } from '../../src/rules/json-patch-apply.js';
import { applyAdmissionDefaults } from '../../src/rules/pod-security/defaulting.js';
import type { KubeObject, NamespaceInfo, PolicyConfig } from '../../src/rules/types.js';
import { startServer, type RunningServer } from '../../src/server/listen.js';
import { startTestCluster, type TestCluster } from '../audit/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { capturedLogger, makeTestCertificates, postReview, type TestCertificates } from '../server/helpers.js';

const HERE = resolve(import.meta.dirname);
const CONFIG = join(HERE, 'config.yaml');
const CORPUS = join(HERE, 'corpus.yaml');

interface CheckJsonResult {
  kind: string;
  namespace: string | null;
  name: string | null;
  rule: string;
  check: string;
  mode: string;
  exception?: string;
}
interface AuditJsonResult extends CheckJsonResult {
  own: boolean;
  owned: Record<string, number>;
}

/** What one path made of one object: the findings it acts on (`rule/check:mode`) and what was excepted (`rule/check:exception`). */
interface Verdict {
  hits: string[];
  excepted: string[];
}

const objects: KubeObject[] = parseAllDocuments(readFileSync(CORPUS, 'utf8')).map((document) => document.toJS() as KubeObject);
const idOf = (kind: string, namespace: string | null | undefined, name: string | null | undefined) => `${kind} ${namespace ?? '-'}/${name ?? '-'}`;
const objectId = (object: KubeObject) => idOf(object.kind ?? '', object.kind === 'Namespace' ? null : (object.metadata?.namespace ?? null), object.metadata?.name);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** The AdmissionReview the API server sends for creating `object` (no user: as `check` judges, nobody applies). */
function reviewFor(object: KubeObject, uid: string): AdmissionReviewRequest {
  const [group, version] = object.apiVersion?.includes('/') ? (object.apiVersion.split('/') as [string, string]) : ['', object.apiVersion ?? 'v1'];
  const namespace = object.kind === 'Namespace' ? undefined : object.metadata?.namespace;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind: object.kind ?? '' },
      ...(object.metadata?.name ? { name: object.metadata.name } : {}),
      ...(namespace ? { namespace } : {}),
      operation: 'CREATE',
      object: applyAdmissionDefaults(object),
      oldObject: null,
      dryRun: false,
    },
  };
}

let certs: TestCertificates;
let server: RunningServer;
let log: ReturnType<typeof capturedLogger>;
let config: PolicyConfig;
let cluster: TestCluster;
let scratch: string;
const namespaces = new Map<string, NamespaceInfo>();

beforeAll(async () => {
  certs = await makeTestCertificates();
  config = await loadConfig(CONFIG);
  log = capturedLogger();
  for (const object of objects) {
    if (object.kind === 'Namespace' && object.metadata?.name) namespaces.set(object.metadata.name, { name: object.metadata.name, labels: (object.metadata.labels ?? {}) as Record<string, string> });
  }
  server = await startServer({
    config,
    logger: log.logger,
    tls: { cert: certs.files.cert, key: certs.files.key },
    host: '127.0.0.1',
    port: 0,
    namespaces: { get: (name) => namespaces.get(name) },
  });
  cluster = await startTestCluster(objects);
  scratch = mkdtempSync(join(tmpdir(), 'policygate-exceptions-parity-'));
});

afterAll(async () => {
  await server?.shutdown();
  await cluster?.close();
  await certs?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('exceptions: the webhook, check, review and the audit agree', () => {
  it('except the same findings of the same objects, and leave the same ones to enforce', async () => {
    // check
    const checked = await runCli(['check', '--format', 'json', '--fail-on', 'never', '--config', CONFIG, CORPUS]);
    expect(checked.code).toBe(0);
    expect(checked.stderr).toBe('policygate check: exception "expired-backup" expired (expires: 2020-01-01) and no longer applies: renew it or remove it\n');
    const checkReport = JSON.parse(checked.stdout) as { results: CheckJsonResult[]; errors: unknown[] };
    expect(checkReport.errors).toEqual([]);
    const byCheck = new Map<string, Verdict>();
    for (const result of checkReport.results) {
      const id = idOf(result.kind, result.namespace, result.name);
      const verdict = byCheck.get(id) ?? { hits: [], excepted: [] };
      if (result.mode === 'excepted') verdict.excepted.push(`${result.rule}/${result.check}:${result.exception}`);
      else verdict.hits.push(`${result.rule}/${result.check}:${result.mode}`);
      byCheck.set(id, verdict);
    }

    // audit
    const audited = await runCli(['audit', '--format', 'json', '--fail-on', 'never', '--config', CONFIG, '--kubeconfig', cluster.kubeconfigFile]);
    expect(audited.stderr).toBe('');
    const auditReport = JSON.parse(audited.stdout) as {
      exceptions: { excepted: AuditJsonResult[]; used: { name: string }[]; expired: unknown[]; unused: string[] };
    };

    // The webhook, over TLS: /mutate, its patch applied, then /validate; then each review replayed.
    const admitted: { object: KubeObject; review: AdmissionReviewRequest; answered: AdmissionResponse }[] = [];
    for (const [index, object] of objects.entries()) {
      const review = reviewFor(object, `parity-${index}`);
      const mutated = await postReview(server.port, '/mutate', review, { ca: certs.ca.cert });
      if (mutated.response.patch) review.request.object = applyJsonPatch(review.request.object!, JSON.parse(Buffer.from(mutated.response.patch, 'base64').toString('utf8')));
      admitted.push({ object, review, answered: (await postReview(server.port, '/validate', review, { ca: certs.ca.cert })).response });
    }
    const replayed = await Promise.all(
      admitted.map(async ({ review }, index) => {
        const file = join(scratch, `review-${index}.json`);
        writeFileSync(file, JSON.stringify(review));
        const result = await runCli(['review', '--config', CONFIG, '--namespaces', CORPUS, file]);
        return (JSON.parse(result.stdout) as { response: AdmissionResponse }).response;
      }),
    );

    const mismatches: string[] = [];
    for (const [index, { object, review, answered }] of admitted.entries()) {
      const id = objectId(object);
      const line = log.lines.find((entry) => entry.uid === review.request.uid && entry.webhook === 'validate');
      const webhook: Verdict = {
        hits: sorted((line?.hits as string[] | undefined) ?? []),
        excepted: sorted(((line?.excepted as string[] | undefined) ?? []).map(String)),
      };
      const offline = byCheck.get(id) ?? { hits: [], excepted: [] };
      if (JSON.stringify(webhook) !== JSON.stringify({ hits: sorted(offline.hits), excepted: sorted(offline.excepted) })) {
        mismatches.push(`${id}: webhook ${JSON.stringify(webhook)}, check ${JSON.stringify(offline)}`);
      }
      // The audit annotation names the same exceptions and checks.
      const annotation = answered.auditAnnotations?.['policygate-exceptions'];
      const annotated = annotation === undefined ? [] : annotation.split('; ').flatMap((entry) => {
        const [name, checks] = entry.split(': ');
        return (checks ?? '').split(', ').map((check) => `${check}:${name}`);
      });
      if (JSON.stringify(sorted(annotated)) !== JSON.stringify(webhook.excepted)) mismatches.push(`${id}: annotation ${annotation}, log ${webhook.excepted.join(' ')}`);

      // review: the same response, word for word.
      if (JSON.stringify(replayed[index]) !== JSON.stringify(answered)) mismatches.push(`${id}: review ${JSON.stringify(replayed[index])}, server ${JSON.stringify(answered)}`);

      // The audit: what it excepted on this object (on its own line, or folded into its owner's).
      const auditExcepted = sorted(
        auditReport.exceptions.excepted
          .filter((result) => idOf(result.kind, result.namespace, result.name) === id && result.own)
          .map((result) => `${result.rule}/${result.check}:${result.exception}`),
      );
      const lines = auditReport.exceptions.excepted.filter((result) => idOf(result.kind, result.namespace, result.name) === id);
      const ownedByListedWorkload = (object.metadata?.ownerReferences ?? []).length > 0;
      if (!ownedByListedWorkload && JSON.stringify(auditExcepted) !== JSON.stringify(webhook.excepted)) mismatches.push(`${id}: audit ${auditExcepted.join(' ')}, webhook ${webhook.excepted.join(' ')}`);
      // Its pod is excepted exactly where its template is: each line is the DaemonSet's own and its pod's.
      if (object.kind === 'DaemonSet' && (lines.length === 0 || lines.some((result) => !result.own || result.owned.Pod !== 1))) {
        mismatches.push(`${id}: its pod's excepted findings are not those of its template: ${JSON.stringify(lines)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(auditReport.exceptions.used.map((use) => use.name)).toEqual(['agent-root', 'legacy-namespace', 'legacy-open-ingress', 'node-agent-hostpath', 'vendor-privileged']);
    expect(auditReport.exceptions.expired).toEqual([{ name: 'expired-backup', expires: '2020-01-01' }]);
    expect(auditReport.exceptions.unused).toEqual(['unused-one']);
  }, 120_000);

  it('what they decide, object by object, in the webhook\'s words', async () => {
    const answers = new Map<string, AdmissionResponse>();
    for (const [index, object] of objects.entries()) {
      answers.set(objectId(object), (await postReview(server.port, '/validate', reviewFor(object, `answer-${index}`), { ca: certs.ca.cert })).response);
    }
    const verdicts = Object.fromEntries([...answers].map(([id, response]) => [id, response.allowed ? 'allowed' : response.status?.message]));
    expect(verdicts).toEqual({
      'Namespace -/monitoring': 'allowed',
      'Namespace -/shop': 'allowed',
      // Its missing team label is excepted.
      'Namespace -/legacy': 'allowed',
      // hostPath and the agent's root user excepted; the sidecar's root user is not.
      'DaemonSet monitoring/node-agent': 'violates PodSecurity "restricted:latest": runAsNonRoot != true (container "sidecar" must not set securityContext.runAsNonRoot=false)',
      'Pod monitoring/node-agent-x7k2p': 'violates PodSecurity "restricted:latest": runAsNonRoot != true (container "sidecar" must not set securityContext.runAsNonRoot=false)',
      // The vendor's privileged container excepted by its image: warned about at restricted, not refused.
      'Deployment shop/web': 'allowed',
      'ReplicaSet shop/web-5d8f7': 'allowed',
      'Pod shop/web-5d8f7-xq2lp': 'allowed',
      // Its exception has expired.
      'CronJob shop/backup': 'violates PodSecurity "baseline:latest": privileged (container "backup" must not set securityContext.privileged=true)',
      'Pod shop/debug': 'violates PodSecurity "baseline:latest": privileged (container "shell" must not set securityContext.privileged=true)',
      'NetworkPolicy legacy/allow-all':
        'spec.egress[0]: egress rule admits every destination on every port (no "to"; no "ports"); narrow "to" to the pods, namespaces or CIDRs it needs to reach and list their "ports"',
    });
    expect(answers.get('Deployment shop/web')?.auditAnnotations?.['policygate-exceptions']).toBe('vendor-privileged: pod-security/privileged');
    expect(answers.get('Deployment shop/web')?.warnings?.some((warning) => warning.includes('privileged'))).toBe(false);
  });
});
