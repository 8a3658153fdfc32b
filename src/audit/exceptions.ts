// The audit's account of the configured exceptions: what each one excepted (grouped by top owner, as
// the results are), which expire within 14 days, which have expired, and which matched nothing in the
// audit (so that they can be removed). A module of its own: the collector hands it each object's
// excepted findings and asks it for the report's section at the end.
import { exceptionStatuses } from '../rules/exceptions/status.js';
import type { ExceptionConfig } from '../rules/types.js';
import type { ExceptedAuditFinding } from './evaluate.js';
import type { ObjectRef, OwnerIndex } from './owners.js';
import { compareText, groupResults, namespaceKeyOf, podsOf, type AuditResult, type AuditedObject } from './report.js';

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

interface ExceptedObject {
  ref: ObjectRef;
  file: string;
  controllerUid: string | undefined;
  excepted: ExceptedAuditFinding[];
}

export class ExceptionTally {
  /** By kind (the collector's key), so that a restarted listing forgets a kind at once. */
  private readonly byKind = new Map<string, ExceptedObject[]>();

  add(kindKey: string, object: ExceptedObject): void {
    if (object.excepted.length === 0) return;
    const objects = this.byKind.get(kindKey);
    if (objects) objects.push(object);
    else this.byKind.set(kindKey, [object]);
  }

  discard(kindKey: string): void {
    this.byKind.delete(kindKey);
  }

  /** The section, with the configured exceptions' state at `at` (ms since the epoch). */
  finish(owners: OwnerIndex, exceptions: readonly ExceptionConfig[], at: number): AuditExceptions {
    const byException = new Map<string, AuditedObject[]>();
    for (const objects of this.byKind.values()) {
      for (const { ref, file, controllerUid, excepted } of objects) {
        const perException = new Map<string, AuditedObject>();
        for (const finding of excepted) {
          let audited = perException.get(finding.exception);
          if (!audited) perException.set(finding.exception, (audited = { ref, file, controllerUid, findings: [] }));
          const { exception: _exception, ...rest } = finding;
          audited.findings.push({ ...rest, mode: 'off' });
        }
        for (const [name, audited] of perException) {
          const list = byException.get(name);
          if (list) list.push(audited);
          else byException.set(name, [audited]);
        }
      }
    }

    const excepted: ExceptedResult[] = [];
    const used: ExceptionUse[] = [];
    for (const name of [...byException.keys()].sort(compareText)) {
      const results = groupResults(byException.get(name) ?? [], owners).map((result) => ({ ...result, exception: name }));
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

    const statuses = exceptionStatuses(exceptions, at);
    return {
      used,
      expiring: statuses
        .filter((status) => status.expiringSoon && status.expiresAt !== undefined)
        .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0))
        .map((status) => ({ name: status.name, expires: status.expires ?? '', daysLeft: Math.floor(((status.expiresAt ?? at) - at) / 86_400_000) })),
      expired: statuses.filter((status) => status.expired).map((status) => ({ name: status.name, expires: status.expires ?? '' })),
      unused: statuses.filter((status) => !status.expired && !byException.has(status.name)).map((status) => status.name),
      excepted,
    };
  }
}
