// The audit's account of the configured exceptions: what each one excepted (grouped by top owner, as
// the results are), which expire within 14 days, which have expired, and which matched nothing in the
// audit (so that they can be removed). A part of the collector's bounded state (collect.ts): an
// object's excepted findings are folded into its owner's line at once, one set of lines per exception
// (finding-groups.ts), so that an exception for a namespace of 2,000 pods keeps lines, not pods.
import { exceptionStatuses } from '../rules/exceptions/status.js';
import type { ExceptionConfig } from '../rules/types.js';
import type { AuditFinding, ExceptedAuditFinding } from './evaluate.js';
import { FindingGroups, type JudgedObject } from './finding-groups.js';
import type { ObjectRef } from './owners.js';
import { compareText, namespaceKeyOf, podsOf, type AuditResult } from './report.js';

/** A report line of what an exception excepted: `mode` is `off` (nothing is raised today), `enforcedMode` what it would be. */
export interface ExceptedResult extends AuditResult {
  exception: string;
}

export interface ExceptionUse {
  name: string;
  /** Report lines (reported objects × field). */
  results: number;
  /** Listed objects behind them. */
  objects: number;
  pods: number;
  namespaces: number;
  /** `rule/check` it excepted, sorted. */
  checks: string[];
}

export interface AuditExceptions {
  /** Exceptions that excepted something, by name. */
  used: ExceptionUse[];
  /** Not expired, and expiring within 14 days, soonest first. */
  expiring: { name: string; expires: string; daysLeft: number }[];
  /** Expired: they no longer apply. */
  expired: { name: string; expires: string }[];
  /** Not expired, and excepted nothing in this audit. */
  unused: string[];
  /** What they excepted, in the results' order. */
  excepted: ExceptedResult[];
}

/** A judged object's excepted findings, as the collector hands them over. */
export interface ExceptedObject extends Omit<JudgedObject, 'findings'> {
  excepted: readonly ExceptedAuditFinding[];
}

export class ExceptionTally {
  /** The lines of each exception, by its name. */
  private readonly byException = new Map<string, FindingGroups>();

  /** Folds an object's excepted findings into the lines of the object that answers for it (`owner`, as FindingGroups.add). */
  add(object: ExceptedObject, owner: ObjectRef | undefined): void {
    if (object.excepted.length === 0) return;
    const perException = new Map<string, AuditFinding[]>();
    for (const { exception, ...finding } of object.excepted) {
      const findings = perException.get(exception);
      const asFinding: AuditFinding = { ...finding, mode: 'off' };
      if (findings) findings.push(asFinding);
      else perException.set(exception, [asFinding]);
    }
    for (const [name, findings] of perException) {
      let groups = this.byException.get(name);
      if (!groups) this.byException.set(name, (groups = new FindingGroups()));
      groups.add({ ref: object.ref, file: object.file, findings }, owner);
    }
  }

  /** Takes out everything objects of this kind brought in (a restarted listing). */
  discardKind(apiVersion: string, kind: string): void {
    for (const groups of this.byException.values()) groups.discardKind(apiVersion, kind);
  }

  /** Lines held, over every exception. */
  get size(): number {
    let size = 0;
    for (const groups of this.byException.values()) size += groups.size;
    return size;
  }

  /** The section, with the configured exceptions' state at `at` (ms since the epoch). Spent: call once, at the end. */
  finish(exceptions: readonly ExceptionConfig[], at: number): AuditExceptions {
    const excepted: ExceptedResult[] = [];
    const used: ExceptionUse[] = [];
    for (const name of [...this.byException.keys()].sort(compareText)) {
      const results: ExceptedResult[] = (this.byException.get(name)?.results() ?? []).map((result) => ({ ...result, exception: name }));
      // A kind listed again may have taken back all it excepted.
      if (results.length === 0) continue;
      excepted.push(...results);
      used.push({
        name,
        results: results.length,
        objects: results.reduce((sum, result) => sum + (result.own ? 1 : 0) + Object.values(result.owned).reduce((a, b) => a + b, 0), 0),
        pods: results.reduce((sum, result) => sum + podsOf(result), 0),
        namespaces: new Set(results.map(namespaceKeyOf)).size,
        checks: [...new Set(results.map((result) => `${result.rule}/${result.check}`))].sort(compareText),
      });
    }
    this.byException.clear();

    const usedNames = new Set(used.map((use) => use.name));
    const statuses = exceptionStatuses(exceptions, at);
    return {
      used,
      expiring: statuses
        .filter((status) => status.expiringSoon && status.expiresAt !== undefined)
        .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0))
        .map((status) => ({ name: status.name, expires: status.expires ?? '', daysLeft: Math.floor(((status.expiresAt ?? at) - at) / 86_400_000) })),
      expired: statuses.filter((status) => status.expired).map((status) => ({ name: status.name, expires: status.expires ?? '' })),
      unused: statuses.filter((status) => !status.expired && !usedNames.has(status.name)).map((status) => status.name),
      excepted,
    };
  }
}
