// The audit's result lines, folded in as objects are judged: each finding goes to the line of the object
// that answers for it (its top listed owner, see owners.ts) at once, so that a Deployment and its 40
// failing pods are one line however the pages come, and what is kept grows with the lines, never with
// the pods. A line remembers which kinds fed it (its `owned` counts, its example per kind), so that a
// kind whose listing starts again can be taken back out without a trace.
import { pathInOwner, type ObjectRef } from './owners.js';
import type { AuditFinding } from './evaluate.js';
import { compareResults, compareText, type AuditResult } from './report.js';
import { pathOfRef } from './resources.js';

/** One judged object with findings, as the collector hands it over. */
export interface JudgedObject {
  ref: ObjectRef;
  /** API path of the object. */
  file: string;
  findings: readonly AuditFinding[];
}

interface Line {
  result: AuditResult;
  /** The first owned object with the finding (as `Kind/name`), per kind of the owned objects. */
  examples: Record<string, string>;
}

function refKey(ref: ObjectRef): string {
  return `${ref.namespace ?? ''}\u0000${ref.apiVersion}\u0000${ref.kind}\u0000${ref.name}\u0000${ref.uid ?? ''}`;
}

function firstExample(examples: Record<string, string>): string | undefined {
  let first: string | undefined;
  for (const label of Object.values(examples)) if (first === undefined || compareText(label, first) < 0) first = label;
  return first;
}

export class FindingGroups {
  private readonly lines = new Map<string, Line>();

  get size(): number {
    return this.lines.size;
  }

  /**
   * Folds an object's findings into the lines of `subject`, the object that answers for it: the object
   * itself, or (`owner` given) its top listed owner, into whose pod template its field paths move.
   */
  add(object: JudgedObject, owner: ObjectRef | undefined): void {
    const subject = owner ?? object.ref;
    const own = owner === undefined;
    const subjectKey = refKey(subject);
    let file: string | undefined;
    for (const finding of object.findings) {
      const path = own ? finding.path : pathInOwner(finding.path, object.ref, subject);
      const key = [subjectKey, finding.rule, finding.check, path, finding.message, finding.policy ?? '', finding.mode, finding.enforcedMode].join('\u0000');
      let line = this.lines.get(key);
      if (!line) {
        file ??= own ? object.file : pathOfRef(subject);
        line = {
          result: {
            file,
            apiVersion: subject.apiVersion,
            kind: subject.kind,
            namespace: subject.namespace ?? null,
            name: subject.name,
            rule: finding.rule,
            check: finding.check,
            mode: finding.mode,
            enforcedMode: finding.enforcedMode,
            path,
            message: finding.message,
            ...(finding.policy !== undefined ? { policy: finding.policy } : {}),
            own: false,
            owned: {},
          },
          examples: {},
        };
        this.lines.set(key, line);
      }
      if (own) {
        line.result.own = true;
        continue;
      }
      const kind = object.ref.kind;
      line.result.owned[kind] = (line.result.owned[kind] ?? 0) + 1;
      const label = `${kind}/${object.ref.name}`;
      const example = line.examples[kind];
      if (example === undefined || compareText(label, example) < 0) line.examples[kind] = label;
    }
  }

  /** Takes out everything objects of this kind brought in: a line only they fed goes. */
  discardKind(apiVersion: string, kind: string): void {
    for (const [key, line] of this.lines) {
      const { result } = line;
      if (result.own && result.kind === kind && result.apiVersion === apiVersion) result.own = false;
      // Owned objects are matched by kind alone: the owner index links workloads by uid, whatever their apiVersion.
      delete result.owned[kind];
      delete line.examples[kind];
      if (!result.own && Object.keys(result.owned).length === 0) this.lines.delete(key);
    }
  }

  /** The lines as results, in the deterministic order. The groups are spent: call once, at the end. */
  results(): AuditResult[] {
    const results: AuditResult[] = [];
    for (const { result, examples } of this.lines.values()) {
      if (!result.own) {
        const example = firstExample(examples);
        if (example !== undefined) result.example = example;
      }
      result.owned = Object.fromEntries(Object.entries(result.owned).sort(([a], [b]) => compareText(a, b)));
      results.push(result);
    }
    this.lines.clear();
    return results.sort(compareResults);
  }
}
