// The offline checker's engine: manifests in, the report out, with exactly the verdicts the webhook would
// give. Each object goes the way `kubectl apply` sends it through the API server: the server's defaults,
// the namespace filled in, the enabled mutations (policygate's /mutate), then /validate — the same
// mutateReview and validateReview the webhook runs, with the Namespaces of the input as its namespace
// cache. Every object is judged as a CREATE, by the user the options name; without one, no user info is
// sent and the rules that ask who applies (policy-label-guard) do not ask.
import { mutateReview, validateReview, type AdmissionDeps } from '../admission/decide.js';
import type { AdmissionReviewRequest } from '../admission/types.js';
import { applyJsonPatch } from '../rules/json-patch-apply.js';
import { groupOf } from '../rules/kinds.js';
import { applyAdmissionDefaults } from '../rules/pod-security/defaulting.js';
import type { Finding, KubeObject, PolicyConfig, UserInfo } from '../rules/types.js';
import type { CheckError, CheckReport, CheckResult, CheckedResource, ResourceIdentity, SkippedInput } from '../report/types.js';
import { isClusterScoped } from './cluster-scoped.js';
import { namespacesFromObjects } from './namespaces.js';
import { networkContextFromObjects } from './network-context.js';
import { parseManifests, type InputProblem, type ManifestDocument } from './parse-manifests.js';
import { helmChartReason, STDIN_NAME, type ManifestSource, type NamedInput } from './read-sources.js';
import { isRecord } from '../rules/is-record.js';

export interface CheckOptions {
  config: PolicyConfig;
  /** The namespace of objects that name none (kubectl's current namespace): `default`, or `--namespace`. */
  namespace: string;
  /** Who applies the manifests, for the rules that ask (policy-label-guard, PSA's exempt users); none by default. */
  userInfo?: UserInfo | undefined;
  /** The clock exceptions expire against, in milliseconds since the epoch. Default: Date.now. */
  now?: (() => number) | undefined;
}

/** The AdmissionReview the API server would send for creating `object`. */
function admissionReviewFor(object: KubeObject, namespace: string | null, uid: string, userInfo?: UserInfo): AdmissionReviewRequest {
  const apiVersion = object.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const name = object.metadata?.name;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: groupOf(apiVersion) ?? '', version: slash === -1 ? apiVersion : apiVersion.slice(slash + 1), kind: object.kind ?? '' },
      ...(typeof name === 'string' ? { name } : {}),
      ...(namespace !== null ? { namespace } : {}),
      operation: 'CREATE',
      ...(userInfo ? { userInfo } : {}),
      object,
      oldObject: null,
      dryRun: false,
    },
  };
}

/** The namespace an object is judged in, or null for a cluster-scoped kind. */
function namespaceOfManifest(object: KubeObject, defaultNamespace: string): string | null {
  if (isClusterScoped(object)) return null;
  const namespace = object.metadata?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : defaultNamespace;
}

/** The object as the API server hands it to admission: defaulted, and in its namespace. */
function asAdmitted(object: KubeObject, namespace: string | null): KubeObject {
  const defaulted = applyAdmissionDefaults(object);
  if (namespace === null || defaulted.metadata?.namespace === namespace) return defaulted;
  if (defaulted.metadata !== undefined && !isRecord(defaulted.metadata)) return defaulted;
  return { ...defaulted, metadata: { ...defaulted.metadata, namespace } };
}

interface Pending {
  document: ManifestDocument;
  namespace: string | null;
  object: KubeObject;
}

function identity(document: ManifestDocument, namespace: string | null): ResourceIdentity {
  const name = document.object.metadata?.name;
  return {
    apiVersion: document.object.apiVersion ?? '',
    kind: document.object.kind ?? '',
    namespace,
    name: typeof name === 'string' && name !== '' ? name : null,
  };
}

/** A finding as a result of the report; an excepted one in mode `excepted`, naming its exception. */
function resultOf(document: ManifestDocument, who: ResourceIdentity, finding: Finding): CheckResult {
  const { line, column } = document.locate(finding.path);
  const related = finding.paths.filter((path) => path !== finding.path).map((path) => ({ path, ...document.locate(path) }));
  return {
    file: document.file,
    line,
    column,
    ...who,
    rule: finding.rule,
    check: finding.check,
    mode: finding.exception === undefined ? finding.mode : 'excepted',
    ...(finding.exception !== undefined ? { exception: finding.exception } : {}),
    path: finding.path,
    message: finding.message,
    ...(finding.policy !== undefined ? { policy: finding.policy } : {}),
    related,
  };
}

/**
 * Excepted findings once each: the modes they would have been raised in (PSA's enforce, warn and audit
 * levels) are not what a reader of an exception needs, and the lines would be the same.
 */
function onceEach(excepted: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return excepted.filter((finding) => {
    const key = [finding.exception, finding.rule, finding.check, finding.path, finding.message].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function problemAt(document: ManifestDocument, message: string): CheckError {
  return { file: document.file, line: document.position.line, column: document.position.column, message };
}

function byLocation(files: readonly string[]) {
  const order = new Map(files.map((file, index) => [file, index]));
  const fileIndex = (file: string) => order.get(file) ?? -1;
  return (a: { file: string; line: number | null; column: number | null }, b: { file: string; line: number | null; column: number | null }) =>
    fileIndex(a.file) - fileIndex(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/** What readSources found besides the sources: the arguments, and what a walk passed over. */
export interface ReadContext {
  inputs: readonly NamedInput[];
  skipped: readonly SkippedInput[];
}

/**
 * An argument that gave nothing to check is an input error: a `helm template` that failed and wrote
 * nothing, a build output not written yet, a typo in a path. Passing there would turn CI green on nothing.
 */
function nothingToCheck(input: NamedInput, sources: number, skipped: number): CheckError {
  const error = (file: string, message: string): CheckError => ({ file, line: null, column: null, message });
  if (input.kind === 'stdin') return error(STDIN_NAME, 'no objects on standard input');
  if (input.kind === 'file') return error(input.path, 'no Kubernetes objects in this file');
  if (input.tool !== undefined) return error(input.path, helmChartReason(input.path));
  if (sources === 0 && skipped === 0) return error(input.path, 'no .yaml, .yml or .json files in this directory');
  return error(input.path, `no Kubernetes objects in this directory (${plural(skipped, 'file or document', 'files or documents')} skipped, listed in the summary)`);
}

function plural(count: number, singular: string, pluralForm: string): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Checks the manifests of `sources`; `problems` are input errors found while reading them. */
export async function checkManifests(
  sources: readonly ManifestSource[],
  problems: readonly InputProblem[],
  options: CheckOptions,
  read: ReadContext = { inputs: [], skipped: [] },
): Promise<CheckReport> {
  const errors: CheckError[] = [...problems];
  const skipped: SkippedInput[] = [...read.skipped];
  const documents: ManifestDocument[] = [];
  const perInput = read.inputs.map((input) => ({ sources: 0, objects: 0, errors: input.readProblems, skipped: input.skipped }));
  for (const source of sources) {
    const parsed = parseManifests(source.name, source.text, { skipNonObjects: source.walked === true });
    documents.push(...parsed.documents);
    errors.push(...parsed.problems);
    skipped.push(...parsed.skipped);
    for (const input of source.inputs ?? []) {
      const counts = perInput[input];
      if (!counts) continue;
      counts.sources++;
      counts.objects += parsed.documents.length;
      counts.errors += parsed.problems.length;
      counts.skipped += parsed.skipped.length;
    }
  }
  read.inputs.forEach((input, index) => {
    const counts = perInput[index];
    if (counts && counts.objects === 0 && counts.errors === 0) errors.push(nothingToCheck(input, counts.sources, counts.skipped));
  });
  // Pass 1: what the API server would hand to /validate, Namespaces included, so that a Namespace's
  // labels as stored (after policygate's own defaults) decide the policy of the pods in it.
  // One instant for the whole run: an exception expiring mid-run does not split the verdicts.
  const at = (options.now ?? Date.now)();
  const now = () => at;
  const noNamespaces: AdmissionDeps = { config: options.config, namespaces: { get: () => undefined }, now };
  const pending: Pending[] = [];
  for (const [index, document] of documents.entries()) {
    const namespace = namespaceOfManifest(document.object, options.namespace);
    let object = asAdmitted(document.object, namespace);
    const mutation = await mutateReview(admissionReviewFor(object, namespace, `mutate-${index}`, options.userInfo), noNamespaces);
    if (mutation.patch.length > 0) {
      try {
        object = applyJsonPatch(object, mutation.patch);
      } catch (error) {
        errors.push(problemAt(document, `the mutation's patch does not apply: ${error instanceof Error ? error.message : String(error)}`));
        continue;
      }
    }
    for (const failure of mutation.errors) errors.push(problemAt(document, `mutation ${failure.rule} failed: ${failure.message}`));
    pending.push({ document, namespace, object });
  }

  // Pass 2: /validate, with the input's Namespaces as the namespace cache, and its Namespaces and
  // network policies as the context a policy (or a Namespace) is judged among.
  const admitted = pending.map((entry) => entry.object);
  const deps: AdmissionDeps = { config: options.config, namespaces: namespacesFromObjects(admitted), network: networkContextFromObjects(admitted), now };
  const resources: CheckedResource[] = [];
  for (const [index, { document, namespace, object }] of pending.entries()) {
    const decision = await validateReview(admissionReviewFor(object, namespace, `validate-${index}`, options.userInfo), deps);
    const who = identity(document, namespace);
    const results = [...decision.findings, ...onceEach(decision.excepted)].map((finding) => resultOf(document, who, finding));
    for (const failure of decision.errors) errors.push(problemAt(document, `rule ${failure.rule} could not be evaluated: ${failure.message}`));
    resources.push({ file: document.file, line: document.position.line, column: document.position.column, ...who, results });
  }

  const files = sources.map((source) => source.name);
  for (const error of errors) if (!files.includes(error.file)) files.push(error.file);
  const order = byLocation(files);
  const results = resources.flatMap((resource) => resource.results).sort(order);
  errors.sort(order);
  return {
    files,
    resources,
    results,
    errors,
    skipped,
    summary: {
      files: sources.length,
      resources: resources.length,
      enforce: results.filter((result) => result.mode === 'enforce').length,
      warn: results.filter((result) => result.mode === 'warn').length,
      audit: results.filter((result) => result.mode === 'audit').length,
      excepted: results.filter((result) => result.mode === 'excepted').length,
      errors: errors.length,
      skipped: skipped.length,
    },
  };
}
