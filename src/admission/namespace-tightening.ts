// Tightening a namespace: when a Namespace UPDATE makes its Pod Security enforce level stricter, the pods
// already in it are judged at the new level and the answer warns about the ones that would be refused
// from now on, as Pod Security Admission does (its `EvaluatePodsInNamespace`). Never a denial: the
// pods are running already, and the namespace's owner decides what to do about them.
//
// PSA's bounds and wording: at most 3,000 pods and at most 1 s (or half the request's remaining
// timeout); pods with an exempt runtime class are skipped; the first pod of each controller is judged
// before further replicas of a controller already judged; one warning per distinct set of reasons,
// naming the lexically first pod and counting the others.
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import { exceptionsFor } from '../rules/exceptions/match.js';
import { isRecord } from '../rules/is-record.js';
import { isExemptNamespace } from '../rules/modes.js';
import { namespaceModeCap } from '../rules/namespace-mode.js';
import type { CheckId, PodUnderReview } from '../rules/pod-security/check.js';
import { effectiveMinor, formatLevelVersion, LEVELS, type LevelVersion } from '../rules/pod-security/level-version.js';
import { evaluatePod } from '../rules/pod-security/evaluate.js';
import { PodExceptions } from '../rules/pod-security/exceptions.js';
import { defaultPolicy, policyFromLabels } from '../rules/pod-security/policy.js';
import { CHECK_TABLES } from '../rules/pod-security/registry.js';
import { weakerMode, type KubeObject, type Mode, type PodSecurityConfig, type PolicyConfig } from '../rules/types.js';
import type { AdmissionReviewRequest, PodLister } from './types.js';

/** PSA's bounds: pods judged at most, and the time the check may take at most. */
const MAX_PODS_TO_CHECK = 3_000;
const POD_CHECK_BUDGET_MS = 1_000;

export const LIST_FAILED_WARNING = 'failed to list pods while checking new PodSecurity enforce level';

export interface TighteningOptions {
  /** What is left of the API server's timeout for this request; the check takes at most half of it. */
  timeoutMs?: number | undefined;
  /** Aborted when the request is abandoned. */
  signal?: AbortSignal | undefined;
  /** Milliseconds; a test's clock. Default `performance.now`. */
  now?: () => number;
  maxPods?: number;
  budgetMs?: number;
  /** The configuration's exceptions and the clock they expire against: an excepted pod is not warned about. */
  exceptions?: { config: PolicyConfig; now: number | undefined } | undefined;
}

const NO_WARNINGS: readonly string[] = Object.freeze([]);

function rank(level: LevelVersion['level']): number {
  return LEVELS.indexOf(level);
}

/** Stricter: a higher level, or the same (non-privileged) level at a newer effective version. */
function isStricter(next: LevelVersion, previous: LevelVersion): boolean {
  const difference = rank(next.level) - rank(previous.level);
  if (difference !== 0) return difference > 0;
  return next.level !== 'privileged' && effectiveMinor(next.version) > effectiveMinor(previous.version);
}

/** A Namespace UPDATE that makes its enforce level stricter: which namespace, and its new level. */
export interface Tightening {
  namespace: string;
  enforce: LevelVersion;
}

/** The Namespace subresources whose UPDATEs can change its labels. */
const NAMESPACE_SUBRESOURCES_WITH_LABELS: ReadonlySet<string> = new Set(['status', 'finalize']);

/**
 * The tightening when this review is a Namespace UPDATE (or one through status or finalize) that
 * makes its enforce level stricter, else undefined: not such an update, the rule off, the namespace
 * exempt, the new labels lowering pod-security below enforce (pods would then be warned about, never
 * refused), or no tightening. Synchronous and cheap, so a caller can tell whether it has pods to list at all.
 */
export function tightenedEnforceLevel(review: AdmissionReviewRequest, config: PolicyConfig): Tightening | undefined {
  const { request } = review;
  if (request.operation !== 'UPDATE' || request.kind.group !== '' || request.kind.kind !== 'Namespace') return undefined;
  // The status and finalize subresources change labels as an UPDATE of the Namespace does.
  if (request.subResource && !NAMESPACE_SUBRESOURCES_WITH_LABELS.has(request.subResource)) return undefined;
  const name = request.object?.metadata?.name ?? request.name;
  if (!name || !request.oldObject) return undefined;
  const ruleConfig = config.rules['pod-security'];
  if (ruleConfig.mode !== 'enforce' || isExemptNamespace(ruleConfig, name) || ruleConfig.exemptions.namespaces.includes(name)) return undefined;
  const newLabels = request.object?.metadata?.labels ?? undefined;
  if ((namespaceModeCap(newLabels, 'pod-security') ?? 'enforce') !== 'enforce') return undefined;
  const defaults = defaultPolicy(ruleConfig.defaults);
  const next = policyFromLabels(newLabels, defaults).policy.enforce;
  const previous = policyFromLabels(request.oldObject.metadata?.labels ?? undefined, defaults).policy.enforce;
  return isStricter(next, previous) ? { namespace: name, enforce: next } : undefined;
}

/**
 * PSA's warnings for a Namespace UPDATE that tightens its enforce level; none otherwise, and none
 * without a lister (no cluster). Never throws: a failed listing is itself a warning.
 */
export async function namespaceTighteningWarnings(
  review: AdmissionReviewRequest,
  config: PolicyConfig,
  pods: PodLister | undefined,
  options: TighteningOptions = {},
): Promise<readonly string[]> {
  if (!pods) return NO_WARNINGS;
  const tightening = tightenedEnforceLevel(review, config);
  if (!tightening) return NO_WARNINGS;
  return evaluatePodsInNamespace(tightening.namespace, tightening.enforce, pods, config.rules['pod-security'], options);
}

/** Only the checks whose findings would refuse a pod: the rule's and the check's configured modes. */
function enforcedChecks(ruleConfig: PodSecurityConfig): (check: CheckId) => boolean {
  return (check) => {
    const configured: Mode | undefined = ruleConfig.checks[check];
    return configured === undefined || weakerMode(ruleConfig.mode, configured) === 'enforce';
  };
}

/** PSA's forbidden reasons (no details) for this pod at this level, in check order; empty when allowed. */
function refusalReasons(policy: LevelVersion, pod: PodUnderReview, enforced: (check: CheckId) => boolean = () => true): string[] {
  if (policy.level === 'privileged') return [];
  const checks = (policy.level === 'baseline' ? CHECK_TABLES.baseline : CHECK_TABLES.restricted)[effectiveMinor(policy.version)] ?? [];
  const reasons: string[] = [];
  for (const { id, checkPod } of checks) {
    if (!enforced(id)) continue;
    const result = checkPod(pod);
    if (!result.allowed) reasons.push(result.reason === '' ? 'unknown forbidden reason' : result.reason);
  }
  return reasons;
}

/**
 * refusalReasons with the configured exceptions applied, as the webhook would apply them to this pod
 * if it were created now; refusalReasons itself when none applies to it.
 */
function reasonsWithExceptions(
  policy: LevelVersion,
  object: KubeObject,
  namespace: string,
  exceptions: NonNullable<TighteningOptions['exceptions']>,
  enforced: (check: CheckId) => boolean,
): string[] {
  const pod = asPod(object);
  const applying = exceptionsFor(object, { config: exceptions.config, operation: 'CREATE', namespace: { name: namespace, labels: {} }, now: exceptions.now }, 'pod-security');
  if (applying.length === 0 || policy.level === 'privileged') return refusalReasons(policy, pod, enforced);
  const failures = new PodExceptions(pod, applying).apply(evaluatePod(policy, pod), effectiveMinor(policy.version));
  return failures.filter((failure) => failure.exception === undefined && enforced(failure.check)).map((failure) => failure.reason);
}

function asPod(object: KubeObject): PodUnderReview {
  const spec = (isRecord(object.spec) ? object.spec : {}) as unknown as V1PodSpec;
  return { metadata: (object.metadata ?? {}) as V1ObjectMeta, spec, metadataPath: 'metadata', specPath: 'spec' };
}

function controllerUid(pod: KubeObject): string | undefined {
  return pod.metadata?.ownerReferences?.find((reference) => reference.controller === true)?.uid;
}

/**
 * As PSA orders them: pods with an exempt runtime class dropped, then every pod without a controller
 * and the first pod of each controller, in listing order, then the further replicas.
 */
function prioritizePods(pods: readonly KubeObject[], exemptRuntimeClasses: readonly string[]): KubeObject[] {
  const first: KubeObject[] = [];
  const replicas: KubeObject[] = [];
  const controllers = new Set<string>();
  for (const pod of pods) {
    const runtimeClass = isRecord(pod.spec) ? pod.spec.runtimeClassName : undefined;
    if (typeof runtimeClass === 'string' && runtimeClass !== '' && exemptRuntimeClasses.includes(runtimeClass)) continue;
    const controller = controllerUid(pod);
    if (controller === undefined) first.push(pod);
    else if (controllers.has(controller)) replicas.push(pod);
    else {
      controllers.add(controller);
      first.push(pod);
    }
  }
  return [...first, ...replicas];
}

/** Rejects when the signal aborts, whether or not the listing itself listens to it. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** `name: reasons`, `name (and 1 other pod): reasons`, `name (and N other pods): reasons`. */
function podGroupWarning(reasons: string, firstName: string, count: number): string {
  if (count === 1) return `${firstName}: ${reasons}`;
  return `${firstName} (and ${count - 1} other ${count === 2 ? 'pod' : 'pods'}): ${reasons}`;
}

/** The pods of `namespace` judged at `enforce`, worded as PSA words them. */
export async function evaluatePodsInNamespace(
  namespace: string,
  enforce: LevelVersion,
  lister: PodLister,
  ruleConfig: PodSecurityConfig,
  options: TighteningOptions = {},
): Promise<string[]> {
  const now = options.now ?? (() => performance.now());
  const maxPods = options.maxPods ?? MAX_PODS_TO_CHECK;
  let budget = options.budgetMs ?? POD_CHECK_BUDGET_MS;
  if (options.timeoutMs !== undefined) budget = Math.max(0, Math.min(budget, options.timeoutMs / 2));
  const deadline = now() + budget;
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new Error(`listing pods took more than ${budget} ms`)), budget);
  const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;

  try {
    let listed: KubeObject[];
    try {
      // One more than the bound: a full answer says that the namespace holds more pods than are checked.
      listed = await untilAborted(lister.list(namespace, { limit: maxPods + 1, signal }), signal);
    } catch {
      return [LIST_FAILED_WARNING];
    }
    const listingCut = listed.length > maxPods;
    const prioritized = prioritizePods(listed, ruleConfig.exemptions.runtimeClassNames);
    const toCheck = prioritized.slice(0, maxPods);
    const enforced = enforcedChecks(ruleConfig);

    // Keyed by the joined reasons, in first-seen order: the lexically first pod name and the count.
    const groups = new Map<string, { firstName: string; count: number }>();
    let checked = 0;
    for (const pod of toCheck) {
      checked++;
      const reasons = options.exceptions ? reasonsWithExceptions(enforce, pod, namespace, options.exceptions, enforced) : refusalReasons(enforce, asPod(pod), enforced);
      if (reasons.length > 0) {
        const key = reasons.join(', ');
        const podName = pod.metadata?.name ?? '';
        const group = groups.get(key);
        if (!group) groups.set(key, { firstName: podName, count: 1 });
        else {
          group.count++;
          if (podName < group.firstName) group.firstName = podName;
        }
      }
      if (signal.aborted || now() >= deadline) break;
    }

    const warnings: string[] = [];
    if (checked < prioritized.length || listingCut) {
      // The listing stops one pod past the bound, so beyond it the total is unknown.
      const total = listingCut ? `more than ${maxPods}` : String(prioritized.length);
      warnings.push(`new PodSecurity enforce level only checked against the first ${checked} of ${total} existing pods`);
    }
    if (groups.size > 0) {
      warnings.push(`existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(formatLevelVersion(enforce))}`);
    }
    const podWarnings = [...groups].map(([reasons, { firstName, count }]) => podGroupWarning(reasons, firstName, count));
    // Sorted as PSA sorts them (by UTF-16 code unit, which is byte order for the ASCII of pod names).
    podWarnings.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...warnings, ...podWarnings];
  } finally {
    clearTimeout(timeout);
  }
}
