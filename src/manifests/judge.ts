// One manifest object judged as the webhook would judge it. Each object goes the way `kubectl apply`
// sends it through the API server: the server's defaults, the namespace filled in, the enabled mutations
// (policygate's /mutate), then /validate — the same mutateReview and validateReview the webhook runs,
// with a namespace lookup standing in for its cache. Every object is judged as a CREATE, by the user the
// options name; without one, no user info is sent and the rules that ask who applies do not ask.
import { mutateReview, validateReview, type AdmissionDeps, type Decision } from '../admission/decide.js';
import type { AdmissionReviewRequest, NamespaceLookup, NetworkContextSource } from '../admission/types.js';
import { isRecord } from '../rules/is-record.js';
import { applyJsonPatch } from '../rules/json-patch-apply.js';
import { groupOf } from '../rules/kinds.js';
import { applyAdmissionDefaults } from '../rules/pod-security/defaulting.js';
import type { Finding, KubeObject, PolicyConfig, UserInfo } from '../rules/types.js';
import type { CheckError, CheckResult, CheckedResource, ResourceIdentity } from '../report/types.js';
import { isClusterScoped } from './cluster-scoped.js';
import type { ManifestDocument } from './parse-manifests.js';

export interface CheckOptions {
  config: PolicyConfig;
  /** The namespace of objects that name none (kubectl's current namespace): `default`, or `--namespace`. */
  namespace: string;
  /** Who applies the manifests, for the rules that ask (policy-label-guard, PSA's exempt users); none by default. */
  userInfo?: UserInfo | undefined;
  /** The clock exceptions expire against, in milliseconds since the epoch. Default: Date.now. */
  now?: (() => number) | undefined;
}

const NO_NAMESPACES: NamespaceLookup = { get: () => undefined };

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
export function namespaceOfManifest(object: KubeObject, defaultNamespace: string): string | null {
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

function problemAt(document: ManifestDocument, message: string): CheckError {
  return { file: document.file, line: document.position.line, column: document.position.column, message };
}

/** The object as stored after /mutate: what /validate judges, and what a Namespace's labels are afterwards. */
export interface Admitted {
  document: ManifestDocument;
  namespace: string | null;
  object: KubeObject;
  errors: CheckError[];
}

/** Runs the API server's defaults and policygate's mutations; only errors when the mutation's patch does not apply. */
export function admit(document: ManifestDocument, options: CheckOptions, uid: number): Admitted | { errors: CheckError[] } {
  const namespace = namespaceOfManifest(document.object, options.namespace);
  let object = asAdmitted(document.object, namespace);
  // Mutations need the namespace's name only, never its labels.
  const mutation = mutateReview(admissionReviewFor(object, namespace, `mutate-${uid}`, options.userInfo), { config: options.config, namespaces: NO_NAMESPACES, ...(options.now ? { now: options.now } : {}) });
  if (mutation.patch.length > 0) {
    try {
      object = applyJsonPatch(object, mutation.patch);
    } catch (error) {
      return { errors: [problemAt(document, `the mutation's patch does not apply: ${error instanceof Error ? error.message : String(error)}`)] };
    }
  }
  return { document, namespace, object, errors: mutation.errors.map((failure) => problemAt(document, `mutation ${failure.rule} failed: ${failure.message}`)) };
}

export function identityOf(document: ManifestDocument, namespace: string | null): ResourceIdentity {
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

/** /validate on an admitted object, with `namespaces` as the namespace cache: the resource with its findings in the order the rules raised them (reports sort them by place). */
export async function validate(admitted: Admitted, namespaces: NamespaceLookup, options: CheckOptions, uid: number, network?: NetworkContextSource): Promise<{ resource: CheckedResource; errors: CheckError[] }> {
  const { document, namespace, object } = admitted;
  const deps: AdmissionDeps = { config: options.config, namespaces, ...(network ? { network } : {}), ...(options.now ? { now: options.now } : {}) };
  const answer = validateReview(admissionReviewFor(object, namespace, `validate-${uid}`, options.userInfo), deps);
  const decision: Decision = answer instanceof Promise ? await answer : answer;
  const who = identityOf(document, namespace);
  const results = [...decision.findings, ...onceEach(decision.excepted)].map((finding) => resultOf(document, who, finding));
  const errors = decision.errors.map((failure) => problemAt(document, `rule ${failure.rule} could not be evaluated: ${failure.message}`));
  return { resource: { file: document.file, line: document.position.line, column: document.position.column, ...who, results }, errors };
}
