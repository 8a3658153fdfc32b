// The audit's report: the model every format renders, and the pure steps that make it from the result
// lines (finding-groups.ts folds the judged objects into them) — the deterministic order, the counts per
// rule, check and namespace, caps — plus `summarize` (the metrics' view) and the exit code.
import type { NetworkPosture } from './network-posture.js';
import { failsRun, type FailOn } from '../report/types.js';
import { EXIT } from '../errors.js';
import { modeStrength, type ActiveMode, type Mode } from '../rules/types.js';
import type { AuditFinding } from './evaluate.js';
import type { AuditExceptions } from './exceptions.js';

/** One line of the audit: a finding on a reported object (a top owner, or an object nothing listed owns). */
export interface AuditResult extends AuditFinding {
  /** The reported object's path on the API server (`kubectl get --raw` takes it): where `check` names a file. */
  file: string;
  apiVersion: string;
  kind: string;
  /** Null for cluster-scoped kinds (Namespace). */
  namespace: string | null;
  name: string;
  /** Whether the reported object itself has the finding (false: only objects it owns do). */
  own: boolean;
  /** Owned objects with the same finding, by kind (`{ "Pod": 40, "ReplicaSet": 1 }`). */
  owned: Record<string, number>;
  /** When `own` is false: the first owned object with the finding, as `Kind/name`. */
  example?: string;
}

export interface AuditError {
  /** The collection or object concerned, as an API path. */
  file: string;
  message: string;
}

export interface CheckCount {
  rule: string;
  check: string;
  enforcedMode: ActiveMode;
  /** Result lines (reported objects × field). */
  results: number;
  /** Distinct reported objects. */
  objects: number;
  /** Pods behind them (reported directly, or through their owner). */
  pods: number;
  namespaces: number;
  /** The reported objects by their mode today (an object with several lines counts under its strongest). */
  now: Record<Mode, number>;
}

export interface NamespaceCount {
  namespace: string;
  /** Results by enforced mode. */
  enforce: number;
  warn: number;
  audit: number;
}

export interface AuditSummary {
  /** Always 0: the audit reads no files (the key keeps `check`'s JSON shape). */
  files: number;
  /** Objects listed and judged. */
  resources: number;
  /** Results by their mode today, as `check` counts them. */
  enforce: number;
  warn: number;
  audit: number;
  off: number;
  /** Lines of what configured exceptions excepted (in `exceptions`, not in `results`). */
  excepted: number;
  /** Results by their mode as if enforced: what --fail-on judges. */
  enforced: Record<ActiveMode, number>;
  errors: number;
}

export interface AuditReport {
  /** Where the objects came from (`https://10.0.0.1:6443`), for the heading. */
  source: string;
  /** The one namespace audited, when restricted. */
  namespace: string | undefined;
  /** Objects listed, by kind (`Pod: 10000`). */
  listed: Record<string, number>;
  namespacesAudited: number;
  results: AuditResult[];
  errors: AuditError[];
  /** Things a reader should know (a listing restarted, objects judged without their namespace's labels). */
  notes: string[];
  counts: { checks: CheckCount[]; namespaces: NamespaceCount[] };
  summary: AuditSummary;
  /** What the configured exceptions excepted, and which expire soon, have expired or went unused. */
  exceptions: AuditExceptions;
  /** The network posture: isolation per namespace, pods no policy selects, policies open alone or together (network-posture.ts). */
  network: NetworkPosture;
  elapsedMs: number | undefined;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type CheckIdentity = Pick<AuditResult, 'rule' | 'check' | 'enforcedMode'>;

/** What the counts, the caps and the text's sections are per: a rule, a check and an enforced mode. */
export function checkKeyOf(entry: CheckIdentity): string {
  return `${entry.rule}\u0000${entry.check}\u0000${entry.enforcedMode}`;
}

/** The counts' order: rule, check, then the strongest enforced mode first. */
function compareChecks(a: CheckIdentity, b: CheckIdentity): number {
  return compareText(a.rule, b.rule) || compareText(a.check, b.check) || modeStrength(b.enforcedMode) - modeStrength(a.enforcedMode);
}

/** The namespace a result sorts and counts under: its own, or a Namespace's name. */
export function namespaceKeyOf(result: Pick<AuditResult, 'namespace' | 'kind' | 'name'>): string {
  return result.namespace ?? (result.kind === 'Namespace' ? result.name : '');
}

/**
 * The deterministic order: namespace, kind, name, rule, check, then path, strongest first, message; and
 * where all of that ties (one kind name in two API groups, one finding at two Pod Security levels), the
 * apiVersion and the level, so that the order never depends on the order objects were listed in.
 */
export function compareResults(a: AuditResult, b: AuditResult): number {
  return (
    compareText(namespaceKeyOf(a), namespaceKeyOf(b)) ||
    compareText(a.kind, b.kind) ||
    compareText(a.name, b.name) ||
    compareText(a.rule, b.rule) ||
    compareText(a.check, b.check) ||
    compareText(a.path, b.path) ||
    modeStrength(b.enforcedMode) - modeStrength(a.enforcedMode) ||
    modeStrength(b.mode) - modeStrength(a.mode) ||
    compareText(a.message, b.message) ||
    compareText(a.apiVersion, b.apiVersion) ||
    compareText(a.policy ?? '', b.policy ?? '')
  );
}

/** Pods behind a result: the reported Pod itself, or the pods it owns with the finding. */
export function podsOf(result: AuditResult): number {
  return (result.own && result.kind === 'Pod' ? 1 : 0) + (result.owned.Pod ?? 0);
}

export function countResults(results: readonly AuditResult[]): AuditReport['counts'] {
  type Tally = CheckCount & { nowByObject: Map<string, Mode>; namespaceKeys: Set<string> };
  const checks = new Map<string, Tally>();
  const namespaces = new Map<string, NamespaceCount>();
  for (const result of results) {
    const checkKey = checkKeyOf(result);
    let check = checks.get(checkKey);
    if (!check) {
      check = {
        rule: result.rule,
        check: result.check,
        enforcedMode: result.enforcedMode,
        results: 0,
        objects: 0,
        pods: 0,
        namespaces: 0,
        now: { enforce: 0, warn: 0, audit: 0, off: 0 },
        nowByObject: new Map(),
        namespaceKeys: new Set(),
      };
      checks.set(checkKey, check);
    }
    check.results++;
    // A pod has one finding per check, so the pods behind different lines of one object are different pods.
    check.pods += podsOf(result);
    const seen = check.nowByObject.get(result.file);
    if (seen === undefined || modeStrength(result.mode) > modeStrength(seen)) check.nowByObject.set(result.file, result.mode);
    const namespace = namespaceKeyOf(result);
    check.namespaceKeys.add(namespace);

    let perNamespace = namespaces.get(namespace);
    if (!perNamespace) namespaces.set(namespace, (perNamespace = { namespace, enforce: 0, warn: 0, audit: 0 }));
    perNamespace[result.enforcedMode]++;
  }
  return {
    checks: [...checks.values()]
      .map(({ nowByObject, namespaceKeys, ...count }) => {
        for (const mode of nowByObject.values()) count.now[mode]++;
        return { ...count, objects: nowByObject.size, namespaces: namespaceKeys.size };
      })
      .sort(compareChecks),
    namespaces: [...namespaces.values()].sort(
      (a, b) => b.enforce - a.enforce || b.warn - a.warn || b.audit - a.audit || compareText(a.namespace, b.namespace),
    ),
  };
}

export function summaryOf(results: readonly AuditResult[], resources: number, errors: number): Omit<AuditSummary, 'excepted'> {
  const now: Record<Mode, number> = { enforce: 0, warn: 0, audit: 0, off: 0 };
  const enforced: Record<ActiveMode, number> = { enforce: 0, warn: 0, audit: 0 };
  for (const result of results) {
    now[result.mode]++;
    enforced[result.enforcedMode]++;
  }
  return { files: 0, resources, ...now, enforced, errors };
}

export interface CappedResults {
  results: AuditResult[];
  /** What the cap left out, per rule, check and enforced mode, in the counts' order. */
  omitted: { rule: string; check: string; enforcedMode: ActiveMode; results: number }[];
}

/** At most `max` results per rule, check and enforced mode (the first ones in the deterministic order). */
export function capResults(results: readonly AuditResult[], max: number | undefined): CappedResults {
  if (max === undefined) return { results: [...results], omitted: [] };
  const shown = new Map<string, number>();
  const omitted = new Map<string, CappedResults['omitted'][number]>();
  const kept: AuditResult[] = [];
  for (const result of results) {
    const key = checkKeyOf(result);
    const count = shown.get(key) ?? 0;
    if (count < max) {
      shown.set(key, count + 1);
      kept.push(result);
      continue;
    }
    const entry = omitted.get(key);
    if (entry) entry.results++;
    else omitted.set(key, { rule: result.rule, check: result.check, enforcedMode: result.enforcedMode, results: 1 });
  }
  return { results: kept, omitted: [...omitted.values()].sort(compareChecks) };
}

/** One metric sample: results (and the objects behind them) per rule, check, namespace and both modes. */
export interface AuditMetric {
  rule: string;
  check: string;
  /** The namespace (a Namespace's own name for findings on it). */
  namespace: string;
  mode: Mode;
  enforcedMode: ActiveMode;
  /** Result lines. */
  results: number;
  /** Listed objects behind them: the reported objects that have the finding and the owned ones that do. */
  objects: number;
}

/** The report as metric samples (for the server's periodic audit), in a deterministic order. */
export function summarize(report: Pick<AuditReport, 'results'>): AuditMetric[] {
  const samples = new Map<string, AuditMetric>();
  for (const result of report.results) {
    const namespace = namespaceKeyOf(result);
    const key = [result.rule, result.check, namespace, result.mode, result.enforcedMode].join('\u0000');
    let sample = samples.get(key);
    if (!sample) samples.set(key, (sample = { rule: result.rule, check: result.check, namespace, mode: result.mode, enforcedMode: result.enforcedMode, results: 0, objects: 0 }));
    sample.results++;
    sample.objects += (result.own ? 1 : 0) + Object.values(result.owned).reduce((sum, count) => sum + count, 0);
  }
  return [...samples.values()].sort(
    (a, b) =>
      compareText(a.rule, b.rule) ||
      compareText(a.check, b.check) ||
      compareText(a.namespace, b.namespace) ||
      modeStrength(b.mode) - modeStrength(a.mode) ||
      modeStrength(b.enforcedMode) - modeStrength(a.enforcedMode),
  );
}

/** Results whose enforced mode reaches --fail-on. */
export function failingResults(report: Pick<AuditReport, 'results'>, failOn: FailOn): number {
  return report.results.filter((result) => failsRun(result.enforcedMode, failOn)).length;
}

/** 2 with any error (a kind that could not be listed, a rule that threw), 1 when enforcing would reach --fail-on, else 0. */
export function auditExitCode(report: Pick<AuditReport, 'results' | 'errors'>, failOn: FailOn): number {
  if (report.errors.length > 0) return EXIT.input;
  return failingResults(report, failOn) > 0 ? EXIT.findings : EXIT.ok;
}
