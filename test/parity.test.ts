// Parity: the offline checker gives exactly the webhook's verdicts. A corpus of manifests — PSA's whole
// conformance corpus, each level and version in a namespace labelled with it, plus the CLI fixtures
// (namespaces, workloads, network policies, JSON, lists) — goes once through the real `policygate check`
// binary, and once the way the API server would send it to the webhook: parsed by another YAML
// library, defaulted, wrapped in AdmissionReviews, through /mutate (patch applied) and then /validate of
// the server, with the corpus's Namespaces as the server's namespace cache. The findings must be the
// same, object by object; the server's answers must agree with them; and PSA's pass and fail fixtures
// must pass and fail.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateReview } from '../src/admission/decide.js';
import type { AdmissionResponse, AdmissionReviewRequest } from '../src/admission/types.js';
import { DEFAULT_CONFIG } from '../src/config/load.js';
import { applyJsonPatch } from '../src/rules/json-patch-apply.js';
import { applyAdmissionDefaults } from '../src/rules/pod-security/defaulting.js';
import type { NetworkContextSource } from '../src/admission/types.js';
import { networkContextFromObjects } from '../src/manifests/network-context.js';
import type { KubeObject, NamespaceInfo } from '../src/rules/types.js';
import { buildApp } from '../src/server/app.js';

const ROOT = resolve(import.meta.dirname, '..');
const PSA_CORPUS = resolve(import.meta.dirname, 'conformance/pod-security');
const CLI_FIXTURES = resolve(import.meta.dirname, 'cli/fixtures');
/** The CLI fixtures that are manifests without input errors. */
const MIXED = ['repo', 'clean.yaml', 'warn-only.yaml', 'psa.yaml', 'team-namespaces.yaml'];

interface Finding {
  rule: string;
  check: string;
  mode: string;
  path: string;
  message: string;
}
interface CheckResult extends Finding {
  file: string;
  kind: string;
  namespace: string | null;
  name: string | null;
}
interface Corpus {
  directory: string;
  /** file (relative) → PSA's expected verdict for every pod in it. */
  verdicts: Map<string, 'pass' | 'fail'>;
}

function namespaceName(level: string, version: string): string {
  return `psa-${level}-${version.replace('.', '-')}`;
}

/** PSA's corpus as one file per level, version and verdict, each pod in the namespace of its level and version. */
function buildCorpus(): Corpus {
  const directory = mkdtempSync(join(tmpdir(), 'policygate-parity-'));
  const verdicts = new Map<string, 'pass' | 'fail'>();
  const namespaces: string[] = [];
  for (const level of ['baseline', 'restricted']) {
    for (const version of readdirSync(join(PSA_CORPUS, level)).sort()) {
      const namespace = namespaceName(level, version);
      const labels = ['enforce', 'warn', 'audit'].flatMap((mode) => [`pod-security.kubernetes.io/${mode}: ${level}`, `pod-security.kubernetes.io/${mode}-version: ${version}`]);
      namespaces.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n  labels:\n    team: conformance\n${labels.map((label) => `    ${label}\n`).join('')}`);
      for (const verdict of ['pass', 'fail'] as const) {
        const dir = join(PSA_CORPUS, level, version, verdict);
        let files: string[];
        try {
          files = readdirSync(dir).filter((file) => file.endsWith('.yaml')).sort();
        } catch {
          continue;
        }
        const pods = files.map((file) => readFileSync(join(dir, file), 'utf8').replace(/^metadata:\n/m, `metadata:\n  namespace: ${namespace}\n`));
        const name = `psa-${level}-${version}-${verdict}.yaml`;
        writeFileSync(join(directory, name), pods.map((pod) => `---\n${pod}${pod.endsWith('\n') ? '' : '\n'}`).join(''));
        verdicts.set(name, verdict);
      }
    }
  }
  writeFileSync(join(directory, 'psa-namespaces.yaml'), namespaces.join('---\n'));
  for (const entry of MIXED) cpSync(join(CLI_FIXTURES, entry), join(directory, 'mixed', entry), { recursive: true });
  return { directory, verdicts };
}

function manifestFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory).sort()) {
    const path = join(directory, entry);
    if (entry.startsWith('.')) continue;
    if (statSync(path).isDirectory()) files.push(...manifestFiles(path));
    else if (/\.(ya?ml|json)$/.test(entry)) files.push(path);
  }
  return files;
}

/** The objects of a file as kubectl would send them: YAML 1.1 scalars, List items flattened. */
function objectsOf(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  const add = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    const object = value as KubeObject;
    if (typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items)) object.items.forEach(add);
    else objects.push(object);
  };
  for (const document of parseAllDocuments(text, { version: '1.1' })) add(document.toJS());
  return objects;
}

const key = (file: string, kind: string, namespace: string | null, name: string | null) => `${file} ${kind} ${namespace ?? '-'}/${name ?? '-'}`;
const comparable = (finding: Finding) => `${finding.rule}/${finding.check} ${finding.mode} ${finding.path}: ${finding.message}`;

describe('parity: policygate check and the webhook', () => {
  let corpus: Corpus;
  let checkResults: Map<string, string[]>;
  let checkSummary: Record<string, number>;
  let app: FastifyInstance;
  const namespaces = new Map<string, NamespaceInfo>();
  // network-isolation's context, as check has it: the stored Namespaces and policies of the whole
  // corpus (the webhook's caches would hold the same once all of it is applied). Set after the first pass.
  let network: NetworkContextSource | undefined;
  const networkSource: NetworkContextSource = {
    source: 'manifests',
    namespaces: () => network?.namespaces(),
    policies: (namespace) => network?.policies(namespace),
  };

  beforeAll(() => {
    corpus = buildCorpus();
    const node = join(ROOT, 'node_modules', '.bin', 'node');
    const result = spawnSync(node, [join(ROOT, 'bin', 'policygate.js'), 'check', '--format', 'json', '--fail-on', 'never', '.'], {
      cwd: corpus.directory,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (result.status !== 0) throw new Error(`policygate check exited ${result.status}: ${result.stderr}`);
    const report = JSON.parse(result.stdout) as { results: CheckResult[]; errors: unknown[]; summary: Record<string, number> };
    expect(report.errors).toEqual([]);
    checkSummary = report.summary;
    checkResults = new Map();
    for (const result of report.results) {
      const id = key(result.file, result.kind, result.namespace, result.name);
      checkResults.set(id, [...(checkResults.get(id) ?? []), comparable(result)]);
    }
    app = buildApp({ config: DEFAULT_CONFIG, namespaces: { get: (name) => namespaces.get(name) }, network: networkSource });
  }, 120_000); // one run of the binary over the whole corpus: seconds on a quiet machine, more on a loaded one

  afterAll(async () => {
    await app?.close();
    if (corpus) rmSync(corpus.directory, { recursive: true, force: true });
  });

  it('finds the same, object by object, as /mutate then /validate of the server', async () => {
    // What the API server hands the webhooks, in two passes: every object defaulted and mutated first,
    // so that the Namespaces in the cache are the ones that would be stored.
    interface Admitted {
      id: string;
      file: string;
      review: AdmissionReviewRequest;
    }
    const admitted: Admitted[] = [];
    let uid = 0;
    for (const path of manifestFiles(corpus.directory)) {
      const file = relative(corpus.directory, path);
      for (const raw of objectsOf(readFileSync(path, 'utf8'))) {
        const isNamespace = raw.kind === 'Namespace' && raw.apiVersion === 'v1';
        const namespace = isNamespace ? null : (raw.metadata?.namespace ?? 'default');
        let object = applyAdmissionDefaults(raw);
        if (namespace !== null) object = { ...object, metadata: { ...object.metadata, namespace } };
        const [group, version] = raw.apiVersion?.includes('/') ? (raw.apiVersion.split('/') as [string, string]) : ['', raw.apiVersion ?? ''];
        const review: AdmissionReviewRequest = {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { uid: `parity-${uid++}`, kind: { group, version, kind: raw.kind ?? '' }, operation: 'CREATE', object, ...(namespace ? { namespace } : {}) },
        };
        const mutated = (await app.inject({ method: 'POST', url: '/mutate', payload: review })).json() as { response: { patch?: string } };
        if (mutated.response.patch) review.request.object = applyJsonPatch(object, JSON.parse(Buffer.from(mutated.response.patch, 'base64').toString('utf8')));
        const stored = review.request.object as KubeObject;
        if (isNamespace && stored.metadata?.name) namespaces.set(stored.metadata.name, { name: stored.metadata.name, labels: (stored.metadata.labels ?? {}) as Record<string, string> });
        admitted.push({ id: key(file, raw.kind ?? '', namespace, raw.metadata?.name ?? null), file, review });
      }
    }
    network = networkContextFromObjects(admitted.map((entry) => entry.review.request.object as KubeObject));
    expect(admitted.length).toBe(checkSummary.resources);
    expect(admitted.length).toBeGreaterThan(4537);

    const mismatches: string[] = [];
    let compared = 0;
    for (const { id, file, review } of admitted) {
      const decision = await validateReview(review, { config: DEFAULT_CONFIG, namespaces: { get: (name) => namespaces.get(name) }, network: networkSource });
      const webhook = decision.findings.map(comparable).sort();
      const offline = [...(checkResults.get(id) ?? [])].sort();
      if (JSON.stringify(webhook) !== JSON.stringify(offline)) mismatches.push(`${id}\n  webhook: ${webhook.join('\n           ')}\n  check:   ${offline.join('\n           ')}`);

      // The server's answer is the one these findings stand for.
      const answer = (await app.inject({ method: 'POST', url: '/validate', payload: review })).json() as { response: AdmissionResponse };
      const enforced = offline.some((finding) => / enforce /.test(finding));
      if (answer.response.allowed === enforced) mismatches.push(`${id}: the server answered allowed=${answer.response.allowed}, check found ${enforced ? 'an' : 'no'} enforce finding`);
      if (!enforced && offline.some((finding) => / warn /.test(finding)) && !answer.response.warnings?.length) mismatches.push(`${id}: check found warnings, the server sent none`);
      // The denial, the warnings and the audit annotations are those the findings above make (the same
      // src/admission code builds them), word for word.
      for (const channel of ['status', 'warnings', 'auditAnnotations'] as const) {
        const sent = answer.response[channel];
        const made = decision.review.response[channel];
        if (!isDeepStrictEqual(sent, made)) mismatches.push(`${id}: the server's ${channel} ${JSON.stringify(sent)}, the findings' ${JSON.stringify(made)}`);
      }

      // PSA's own expectation for its fixtures.
      const verdict = corpus.verdicts.get(file);
      const podSecurityEnforced = offline.some((finding) => finding.startsWith('pod-security/') && / enforce /.test(finding));
      if (verdict !== undefined && podSecurityEnforced !== (verdict === 'fail')) mismatches.push(`${id}: PSA's corpus says ${verdict}, check ${podSecurityEnforced ? 'denies' : 'allows'}`);
      compared++;
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(compared).toBe(admitted.length);
    // Every finding check reported belongs to an object the webhook judged.
    const judged = new Set(admitted.map((entry) => entry.id));
    expect([...checkResults.keys()].filter((id) => !judged.has(id))).toEqual([]);
  });
});
