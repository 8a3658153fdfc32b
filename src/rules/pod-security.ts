// Rule `pod-security`: the Pod Security Standards, evaluated exactly as Kubernetes' Pod Security
// Admission evaluates them, on Pods and on the pod templates of workloads.
import { evaluatePod, evaluatePodAtBothLevels, type CheckFailure } from './pod-security/evaluate.js';
import { effectiveMinor, formatLevelVersion, type LevelVersion } from './pod-security/level-version.js';
import { POD_BEARING_KINDS, POD_KIND, podUnderReview } from './pod-security/pod-spec.js';
import { defaultPolicy, isFullyPrivileged, policyFromLabels, type NamespacePolicy, type PolicyMode } from './pod-security/policy.js';
import { POD_SECURITY_CHECKS } from './pod-security/registry.js';
import { isSignificantPodUpdate, podTemplateChanged } from './pod-security/significant-update.js';
import { IGNORED_POD_SUBRESOURCES } from './pod-security/subresources.js';
import { NAMESPACE_LABELS_CHECK, namespaceLabelFindings } from './pod-security/namespace-labels.js';
import { PodExceptions } from './pod-security/exceptions.js';
import { exceptFindings, exceptionsFor } from './exceptions/match.js';
import { isKind, NAMESPACE_KIND, namespaceOf } from './kinds.js';
import { weakerMode, type ActiveMode, type Finding, type KubeObject, type PodSecurityConfig, type Rule, type RuleContext } from './types.js';


export type PodSecurityExemption = 'namespace' | 'user' | 'runtimeClass';

/**
 * Why PSA would skip this object entirely, if it would. Checked before anything is evaluated. `spec` is
 * the pod spec under review (only its runtimeClassName is read, so a raw, unvalidated spec will do).
 */
export function podSecurityExemption(object: KubeObject, context: RuleContext, spec?: { readonly runtimeClassName?: unknown }): PodSecurityExemption | undefined {
  const { exemptions } = context.config.rules['pod-security'];
  const namespace = namespaceOf(object, context);
  if (namespace !== undefined && exemptions.namespaces.includes(namespace)) return 'namespace';
  const username = context.userInfo?.username;
  if (username !== undefined && exemptions.usernames.includes(username)) return 'user';
  const runtimeClass = spec?.runtimeClassName;
  if (typeof runtimeClass === 'string' && exemptions.runtimeClassNames.includes(runtimeClass)) return 'runtimeClass';
  return undefined;
}

/** Whether this request reaches the checks at all, following PSA's treatment of pod subresources and updates. */
function isJudged(object: KubeObject, context: RuleContext): boolean {
  if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return false;
  const subResource = context.subResource ?? '';
  if (!isKind(object, POD_KIND)) {
    if (subResource !== '') return false;
    return context.operation !== 'UPDATE' || !context.oldObject || podTemplateChanged(object, context.oldObject);
  }
  if (IGNORED_POD_SUBRESOURCES.has(subResource)) return false;
  if (context.operation === 'UPDATE' && context.oldObject) return isSignificantPodUpdate(object, context.oldObject);
  return true;
}

/** Whether the policy's modes ask for baseline and for restricted at the same minor version. */
function asksForBothLevels(policy: NamespacePolicy, minor: number): boolean {
  let baseline = false;
  let restricted = false;
  for (const levelVersion of [policy.enforce, policy.warn, policy.audit]) {
    if (effectiveMinor(levelVersion.version) !== minor) continue;
    if (levelVersion.level === 'baseline') baseline = true;
    else if (levelVersion.level === 'restricted') restricted = true;
  }
  return baseline && restricted;
}

function findingsFor(failures: readonly CheckFailure[], mode: ActiveMode, policy: LevelVersion, ruleConfig: PodSecurityConfig, fallbackPath: string): Finding[] {
  const findings: Finding[] = [];
  const policyText = formatLevelVersion(policy);
  for (const failure of failures) {
    const configured = ruleConfig.checks[failure.check];
    const findingMode = configured === undefined ? mode : weakerMode(mode, configured);
    if (findingMode === 'off') continue;
    const finding: Finding = {
      rule: 'pod-security',
      check: failure.check,
      mode: findingMode,
      path: failure.paths[0] ?? fallbackPath,
      paths: failure.paths,
      message: failure.message,
      policy: policyText,
    };
    if (failure.exception !== undefined) finding.exception = failure.exception;
    findings.push(finding);
  }
  return findings;
}

/** What makes two warnings the same: the message, and whether (and by what) it is excepted. */
function warnedKey(finding: Finding): string {
  return finding.exception === undefined ? finding.message : `${finding.exception}\u0000${finding.message}`;
}

function evaluatePodSecurity(object: KubeObject, context: RuleContext): Finding[] {
  const ruleConfig = context.config.rules['pod-security'];
  if (ruleConfig.mode === 'off') return [];
  if (isKind(object, NAMESPACE_KIND)) {
    if (context.operation !== 'CREATE' && context.operation !== 'UPDATE') return [];
    return exceptFindings(namespaceLabelFindings(object, context, ruleConfig), object, context, 'pod-security');
  }
  if (!isJudged(object, context)) return [];
  const pod = podUnderReview(object);
  if (!pod || podSecurityExemption(object, context, pod.spec)) return [];

  const { policy } = policyFromLabels(context.namespace?.labels, defaultPolicy(ruleConfig.defaults));
  if (isFullyPrivileged(policy)) return [];

  // Each distinct level:version is evaluated once, however many modes ask for it; baseline and
  // restricted of one version (enforce baseline, warn and audit restricted) in a single pass.
  // Exceptions, when any applies to this object, are applied to the failures inside the evaluation
  // (see pod-security/exceptions.ts): before the denial is decided, so that what they except neither
  // refuses the pod nor silences its warnings. They are looked up only once something fails: a pod
  // that passes costs nothing more, however many exceptions are configured.
  const cache = new Map<string, CheckFailure[]>();
  let podExceptions: PodExceptions | null | undefined;
  const failuresAt = (levelVersion: LevelVersion) => {
    const minor = effectiveMinor(levelVersion.version);
    const key = `${levelVersion.level}:${minor}`;
    let failures = cache.get(key);
    if (!failures) {
      if (levelVersion.level !== 'privileged' && asksForBothLevels(policy, minor)) {
        const both = evaluatePodAtBothLevels(levelVersion.version, pod);
        cache.set(`baseline:${minor}`, both.baseline);
        cache.set(`restricted:${minor}`, both.restricted);
        failures = both[levelVersion.level];
      } else {
        cache.set(key, (failures = evaluatePod(levelVersion, pod)));
      }
    }
    if (failures.length === 0) return failures;
    if (podExceptions === undefined) {
      const exceptions = exceptionsFor(object, context, 'pod-security');
      podExceptions = exceptions.length === 0 ? null : new PodExceptions(pod, exceptions);
    }
    return podExceptions ? podExceptions.apply(failures, minor) : failures;
  };
  const modeFor = (policyMode: PolicyMode) => weakerMode(policyMode, ruleConfig.mode) as ActiveMode;

  const enforce = findingsFor(failuresAt(policy.enforce), modeFor('enforce'), policy.enforce, ruleConfig, pod.specPath);
  const audit = findingsFor(failuresAt(policy.audit), modeFor('audit'), policy.audit, ruleConfig, pod.specPath);
  // As PSA: no warnings on a request that is denied anyway.
  const denied = enforce.some((finding) => finding.mode === 'enforce' && finding.exception === undefined);
  const warn = denied ? [] : findingsFor(failuresAt(policy.warn), modeFor('warn'), policy.warn, ruleConfig, pod.specPath);
  // When the rule's mode has turned enforce findings into warnings, a warn-level finding that says
  // the same thing would only repeat it.
  const alreadyWarned = new Set(enforce.filter((finding) => finding.mode === 'warn').map(warnedKey));
  return [...enforce, ...warn.filter((finding) => !alreadyWarned.has(warnedKey(finding))), ...audit];
}

export const podSecurity: Rule<'pod-security'> = {
  id: 'pod-security',
  meta: {
    description: "Pods and workload pod templates must meet the namespace's Pod Security Standards level, exactly as Pod Security Admission judges them.",
    rationale:
      'A pod that runs privileged, shares host namespaces or mounts the host filesystem can take over its node. ' +
      'Judging workload templates too, in the same modes as pods, refuses a bad Deployment at apply time instead of leaving a ReplicaSet that silently cannot create pods.',
    appliesTo: [...POD_BEARING_KINDS, NAMESPACE_KIND],
    // The namespace's pod-security.kubernetes.io labels decide enforce/warn/audit per level; a
    // check's default mode is therefore the strongest, capped by the rule's and the check's mode.
    checks: [
      ...POD_SECURITY_CHECKS.map((check) => ({ id: check.id, description: `${check.description} (${check.level})`, defaultMode: 'enforce' as const })),
      {
        id: NAMESPACE_LABELS_CHECK,
        description: 'A Namespace\'s pod-security.kubernetes.io labels must be valid levels and versions, as PSA requires (not a PSA check ID: PSA answers 422 Invalid).',
        defaultMode: 'enforce' as const,
      },
    ],
  },
  evaluate: evaluatePodSecurity,
  appliesExceptions: true,
};
