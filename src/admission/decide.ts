// AdmissionReview in → decision out, for /validate and /mutate. No HTTP here: the server, the CLI's
// `review` command and the tests all call these two functions. Every outcome carries a reason.
import { evaluateObject, hasApplicableRule, mutateObject, type RuleError } from '../rules/evaluate.js';
import { isExemptNamespace } from '../rules/modes.js';
import { POD_BEARING_KINDS } from '../rules/pod-security/pod-spec.js';
import { formatKind, isKind, matchesAny, NAMESPACE_KIND } from '../rules/kinds.js';
import { unauthorizedLabelChanges } from '../rules/policy-label-guard.js';
import type { ClusterContext, Finding, KubeObject, NamespaceInfo, PatchOperation, PolicyConfig, PolicyLabelAccess, RuleContext } from '../rules/types.js';
import { networkContextFor } from './network-context.js';
import { evaluatePodsInNamespace, tightenedEnforceLevel } from './namespace-tightening.js';
import { podSubresourceWithoutPod } from './pod-subresource.js';
import { auditAnnotationsFor, denialMessage, exceptionsAnnotation, warningsFor } from './respond.js';
import { onlyReleasesTerminatingObject } from './terminating.js';
import type { AdmissionResponse, AdmissionReviewRequest, AdmissionReviewResponse, NamespaceLookup, NetworkContextSource, PodLister, PolicyLabelAuthorizer, PolicyLabelDecision } from './types.js';

export interface AdmissionDeps {
  config: PolicyConfig;
  namespaces: NamespaceLookup;
  /** A namespace's pods, judged when a Namespace UPDATE tightens its enforce level. Absent without a cluster. */
  pods?: PodLister | undefined;
  /**
   * Whether the cluster lets a user change a namespace's guarded labels (policy-label-guard). Asked
   * only for a Namespace request that changes them by someone outside the configured principals.
   * Absent without a cluster: the principals alone decide.
   */
  policyLabels?: PolicyLabelAuthorizer | undefined;
  /** The clock exceptions expire against, in milliseconds since the epoch. Default: Date.now. */
  now?: (() => number) | undefined;
  /**
   * The namespaces and network policies network-isolation judges a policy among (the webhook's caches,
   * the offline checker's input). Absent without a cluster: the checks that need them find nothing.
   */
  network?: NetworkContextSource | undefined;
}

export interface ValidateOptions {
  /** What is left of the API server's timeout for this request (its `?timeout=`), in milliseconds. */
  timeoutMs?: number | undefined;
}

export type DecisionKind = 'allowed' | 'denied' | 'error';

export interface Decision {
  review: AdmissionReviewResponse;
  decision: DecisionKind;
  /** Why, in a few words: for the log line and for `policygate review`. */
  reason: string;
  findings: Finding[];
  /** Findings configured exceptions except (each names its exception): recorded, neither enforced nor warned about. */
  excepted: Finding[];
  errors: RuleError[];
  rulesRun: string[];
  patch: PatchOperation[];
}

function answer(review: AdmissionReviewRequest, response: Omit<AdmissionResponse, 'uid'>): AdmissionReviewResponse {
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, ...response } };
}

function allowedWithoutLooking(review: AdmissionReviewRequest, reason: string): Decision {
  return { review: answer(review, { allowed: true }), decision: 'allowed', reason, findings: [], excepted: [], errors: [], rulesRun: [], patch: [] };
}

/** A request that cannot be judged and must not pass: 400, as PSA answers one it cannot decode. */
function refusedUnjudged(review: AdmissionReviewRequest, message: string, reason: string): Decision {
  return {
    review: answer(review, { allowed: false, status: { code: 400, reason: 'BadRequest', message } }),
    decision: 'denied',
    reason,
    findings: [],
    excepted: [],
    errors: [],
    rulesRun: [],
    patch: [],
  };
}

function kindName(review: AdmissionReviewRequest): string {
  const { group, kind } = review.request.kind;
  return formatKind({ group, kind });
}

class NamespaceLookupError extends Error {}

function ruleErrorText(error: RuleError): string {
  return `policygate: rule ${error.rule} could not be evaluated: ${error.message}`;
}

/** A rejected or thrown lookup, with the namespace named: the message a refused pod carries. */
function lookupError(name: string, error: unknown): NamespaceLookupError {
  return new NamespaceLookupError(`failed to look up namespace ${JSON.stringify(name)}: ${error instanceof Error ? error.message : String(error)}`);
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/**
 * The labels of the namespace an object lives in: Pod Security levels for pods, and the
 * `policygate.dev/mode*` labels for every rule. Namespaces themselves carry their own labels.
 * Synchronous when the answer is at hand (no cluster, or the watch cache holds the namespace).
 */
function namespaceContext(object: KubeObject, review: AdmissionReviewRequest, deps: AdmissionDeps): NamespaceInfo | undefined | Promise<NamespaceInfo | undefined> {
  // The request's namespace, never the object's: metadata.namespace is written by whoever sends it.
  const name = review.request.namespace;
  if (!name || isKind(object, NAMESPACE_KIND)) return undefined;
  let found: NamespaceInfo | undefined | Promise<NamespaceInfo | undefined>;
  try {
    found = deps.namespaces.get(name);
  } catch (error) {
    throw lookupError(name, error);
  }
  return isPromise(found)
    ? found.catch((error: unknown) => {
        throw lookupError(name, error);
      })
    : found;
}

/** Without its namespace's labels a pod cannot be judged; other objects are judged at full strength. */
function needsNamespaceToBeJudged(object: KubeObject, review: AdmissionReviewRequest, deps: AdmissionDeps): boolean {
  const podSecurity = deps.config.rules['pod-security'];
  return podSecurity.mode === 'enforce' && matchesAny(object, POD_BEARING_KINDS) && !isExemptNamespace(podSecurity, review.request.namespace || undefined);
}

function contextFor(review: AdmissionReviewRequest, deps: AdmissionDeps, namespace: NamespaceInfo | undefined, policyLabelAccess?: PolicyLabelAccess, cluster?: ClusterContext): RuleContext {
  const { request } = review;
  return {
    config: deps.config,
    operation: request.operation,
    namespace,
    requestNamespace: request.namespace ?? '',
    oldObject: request.oldObject ?? undefined,
    userInfo: request.userInfo,
    subResource: request.subResource || undefined,
    ...(policyLabelAccess ? { policyLabelAccess } : {}),
    now: (deps.now ?? Date.now)(),
    ...(cluster ? { cluster } : {}),
  };
}

function accessOf(decision: PolicyLabelDecision): PolicyLabelAccess {
  return { allowed: decision.allowed, reason: decision.reason };
}

function accessError(error: unknown): PolicyLabelAccess {
  return { error: error instanceof Error ? error.message : String(error) };
}

/**
 * For a Namespace request that changes guarded labels by someone outside the configured principals:
 * the cluster's answer to whether they may (policy-label-guard). Undefined for every other request,
 * and without a cluster. Synchronous when the answer is cached; an error becomes `{error}`, on which
 * the rule fails closed.
 */
function policyLabelAccess(object: KubeObject, review: AdmissionReviewRequest, deps: AdmissionDeps): PolicyLabelAccess | undefined | Promise<PolicyLabelAccess> {
  const user = review.request.userInfo;
  if (!deps.policyLabels || !user || !isKind(object, NAMESPACE_KIND)) return undefined;
  if (unauthorizedLabelChanges(object, contextFor(review, deps, undefined)).length === 0) return undefined;
  // The request's name where it has one (every UPDATE): an object cannot name another namespace than the one written.
  const name = review.request.name || object.metadata?.name || '';
  let answer: PolicyLabelDecision | Promise<PolicyLabelDecision>;
  try {
    answer = deps.policyLabels.authorize(user, name);
  } catch (error) {
    return accessError(error);
  }
  return isPromise(answer) ? answer.then(accessOf, accessError) : accessOf(answer);
}

const NO_EXISTING_POD_WARNINGS: readonly string[] = [];

/**
 * Judges a review. The answer is synchronous whenever nothing has to be fetched (no cluster, or the
 * namespace is in the watch cache: nearly every request), so the server answers in the same tick;
 * it is a promise when a namespace must be read from the API server or a Namespace UPDATE that
 * tightens its enforce level needs its pods listed.
 */
export function validateReview(review: AdmissionReviewRequest, deps: AdmissionDeps, options: ValidateOptions = {}): Decision | Promise<Decision> {
  const { request } = review;
  if (request.operation === 'DELETE') return allowedWithoutLooking(review, 'DELETE is always allowed');
  if (onlyReleasesTerminatingObject(request)) return allowedWithoutLooking(review, 'an object being deleted: only its finalizers, owners or status changed');
  const withoutPod = podSubresourceWithoutPod(request, deps.config);
  if (withoutPod !== undefined) return refusedUnjudged(review, withoutPod, 'a pod subresource that carries no Pod');
  const object = request.object;
  if (!object) return allowedWithoutLooking(review, 'no object to judge');
  if (!hasApplicableRule(object)) return allowedWithoutLooking(review, `no rule applies to ${kindName(review)}`);

  const access = policyLabelAccess(object, review, deps);
  if (access !== undefined) {
    return isPromise(access) ? access.then((answer) => judge(review, object, deps, options, undefined, answer)) : judge(review, object, deps, options, undefined, access);
  }

  let namespace: NamespaceInfo | undefined | Promise<NamespaceInfo | undefined>;
  try {
    namespace = namespaceContext(object, review, deps);
  } catch (error) {
    return judgeWithoutNamespace(review, object, deps, options, error);
  }
  if (isPromise(namespace)) {
    return namespace.then(
      (found) => judge(review, object, deps, options, found),
      (error: unknown) => judgeWithoutNamespace(review, object, deps, options, error),
    );
  }
  return judge(review, object, deps, options, namespace);
}

function judgeWithoutNamespace(review: AdmissionReviewRequest, object: KubeObject, deps: AdmissionDeps, options: ValidateOptions, error: unknown): Decision | Promise<Decision> {
  const message = (error as Error).message;
  if (needsNamespaceToBeJudged(object, review, deps)) {
    // As PSA: without the namespace's policy the pod cannot be judged, and letting it through
    // would let an outage of the cache switch enforcement off.
    return {
      review: answer(review, { allowed: false, status: { code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}` } }),
      decision: 'error',
      reason: message,
      findings: [],
      excepted: [],
      errors: [{ rule: 'pod-security', mode: 'enforce', message }],
      rulesRun: [],
      patch: [],
    };
  }
  return judge(review, object, deps, options, undefined);
}

function judge(
  review: AdmissionReviewRequest,
  object: KubeObject,
  deps: AdmissionDeps,
  options: ValidateOptions,
  namespace: NamespaceInfo | undefined,
  access?: PolicyLabelAccess,
): Decision | Promise<Decision> {
  // A network policy (and, offline, a Namespace) is judged among the others: gathered first, mostly from caches.
  const cluster = review.request.operation === 'DELETE' || review.request.subResource ? undefined : networkContextFor(object, review.request.namespace, deps.config, deps.network);
  if (isPromise(cluster)) return cluster.then((found) => judgeIn(review, object, deps, options, namespace, access, found));
  return judgeIn(review, object, deps, options, namespace, access, cluster);
}

function judgeIn(
  review: AdmissionReviewRequest,
  object: KubeObject,
  deps: AdmissionDeps,
  options: ValidateOptions,
  namespace: NamespaceInfo | undefined,
  access: PolicyLabelAccess | undefined,
  cluster: ClusterContext | undefined,
): Decision | Promise<Decision> {
  const context = contextFor(review, deps, namespace, access, cluster);
  const { findings, excepted, errors, rulesRun } = evaluateObject(object, context);
  const failedEnforcing = errors.filter((error) => error.mode === 'enforce');
  const denying = [...new Set(findings.filter((finding) => finding.mode === 'enforce').map((finding) => `${finding.rule}/${finding.check}`))];
  const evaluation: Evaluation = { findings, excepted, errors, rulesRun, failedEnforcing, denying };
  // A Namespace UPDATE that tightens its enforce level, and is allowed: PSA's warnings about its pods.
  // Only then is there anything to wait for; every other UPDATE is answered at once.
  const refused = failedEnforcing.length > 0 || denying.length > 0;
  const tightening = deps.pods && !refused ? tightenedEnforceLevel(review, deps.config) : undefined;
  if (deps.pods && tightening) {
    return evaluatePodsInNamespace(tightening.namespace, tightening.enforce, deps.pods, deps.config.rules['pod-security'], { ...options, exceptions: { config: deps.config, now: context.now } }).then((existingPods) =>
      decisionOf(review, evaluation, existingPods),
    );
  }
  return decisionOf(review, evaluation, NO_EXISTING_POD_WARNINGS);
}

interface Evaluation {
  findings: Finding[];
  excepted: Finding[];
  errors: RuleError[];
  rulesRun: string[];
  /** Rules that threw while enforcing: the request fails closed. */
  failedEnforcing: RuleError[];
  /** `rule/check` of each distinct enforce finding. */
  denying: string[];
}

function decisionOf(review: AdmissionReviewRequest, evaluation: Evaluation, existingPods: readonly string[]): Decision {
  const { findings, excepted, errors, rulesRun, failedEnforcing, denying } = evaluation;
  const errorWarnings = errors.filter((error) => error.mode !== 'enforce').map(ruleErrorText);
  const warnings = warningsFor(findings, existingPods.length > 0 ? [...errorWarnings, ...existingPods] : errorWarnings);
  const auditAnnotations = excepted.length > 0 ? { ...auditAnnotationsFor(findings), ...exceptionsAnnotation(excepted) } : auditAnnotationsFor(findings);
  const extras = {
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(Object.keys(auditAnnotations).length > 0 ? { auditAnnotations } : {}),
  };
  const base = { findings, excepted, errors, rulesRun, patch: [] };

  if (failedEnforcing.length > 0) {
    const message = failedEnforcing.map(ruleErrorText).join('\n');
    return {
      ...base,
      review: answer(review, { allowed: false, status: { code: 500, reason: 'InternalError', message }, ...extras }),
      decision: 'error',
      reason: `rule error in enforce mode: ${failedEnforcing.map((error) => error.rule).join(', ')}`,
    };
  }
  if (denying.length > 0) {
    return {
      ...base,
      review: answer(review, { allowed: false, status: { code: 403, reason: 'Forbidden', message: denialMessage(findings) }, ...extras }),
      decision: 'denied',
      reason: `denied by ${denying.join(', ')}`,
    };
  }
  const reason =
    existingPods.length > 0
      ? 'allowed with warnings about existing pods under the stricter enforce level'
      : findings.length > 0
        ? `allowed with ${findings.length} warn/audit finding(s)${exceptedText(excepted, ' and ')}`
        : excepted.length > 0
          ? `allowed:${exceptedText(excepted, ' ')}`
          : `allowed: ${rulesRun.length > 0 ? rulesRun.join(', ') : 'no rule'} found nothing`;
  return { ...base, review: answer(review, { allowed: true, ...extras }), decision: 'allowed', reason };
}

/** ` 2 finding(s) excepted by node-agent, legacy-root` after `lead`; empty without excepted findings. */
function exceptedText(excepted: readonly Finding[], lead: string): string {
  if (excepted.length === 0) return '';
  return `${lead}${excepted.length} finding(s) excepted by ${[...new Set(excepted.map((finding) => finding.exception))].join(', ')}`;
}

/** Synchronous: mutations need the namespace's name only, never a lookup. */
export function mutateReview(review: AdmissionReviewRequest, deps: AdmissionDeps): Decision {
  const { request } = review;
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allowedWithoutLooking(review, `${request.operation} is never mutated`);
  const object = request.object;
  if (!object) return allowedWithoutLooking(review, 'no object to mutate');
  // Mutations need the namespace's name only (exemptions), never its labels: no lookup on this path.
  const namespace = isKind(object, NAMESPACE_KIND) ? undefined : review.request.namespace || undefined;
  const context = contextFor(review, deps, namespace === undefined ? undefined : { name: namespace, labels: {} });
  const { patch, applied, errors } = mutateObject(object, context);
  const base = { findings: [], excepted: [], errors, rulesRun: applied };
  if (patch.length === 0) {
    return { ...base, patch, review: answer(review, { allowed: true }), decision: 'allowed', reason: errors.length > 0 ? 'mutation failed; object left unchanged' : 'nothing to change' };
  }
  const encoded = Buffer.from(JSON.stringify(patch)).toString('base64');
  return {
    ...base,
    patch,
    review: answer(review, { allowed: true, patchType: 'JSONPatch', patch: encoded }),
    decision: 'allowed',
    reason: `patched by ${applied.join(', ')}`,
  };
}
