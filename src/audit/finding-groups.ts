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

/** A finding as a line shows it, with its path as on the line's object: shared by every line that has it. */
interface Finding {
  id: number;
  rule: string;
  check: string;
  path: string;
  message: string;
  policy: string | undefined;
  mode: AuditFinding['mode'];
  enforcedMode: AuditFinding['enforcedMode'];
}

/** An object with lines: the lines' key starts with its number. */
interface Subject {
  id: number;
  file: string;
}

/** Line keys are `subject × FINDINGS + finding`: numbers, not strings of every field (most of what a line would weigh). */
const FINDINGS = 2 ** 24;

function refKey(ref: ObjectRef): string {
  return `${ref.namespace ?? ''}\u0000${ref.apiVersion}\u0000${ref.kind}\u0000${ref.name}\u0000${ref.uid ?? ''}`;
}

function firstExample(examples: Record<string, string>): string | undefined {
  let first: string | undefined;
  for (const label of Object.values(examples)) if (first === undefined || compareText(label, first) < 0) first = label;
  return first;
}

export class FindingGroups {
  private readonly lines = new Map<number, Line>();
  private readonly subjects = new Map<string, Subject>();
  private readonly findings = new Map<string, Finding>();

  get size(): number {
    return this.lines.size;
  }

  private subjectOf(subject: ObjectRef, file: () => string): Subject {
    const key = refKey(subject);
    let entry = this.subjects.get(key);
    if (!entry) this.subjects.set(key, (entry = { id: this.subjects.size, file: file() }));
    return entry;
  }

  private findingOf(finding: AuditFinding, path: string): Finding {
    const key = [finding.rule, finding.check, path, finding.message, finding.policy ?? '', finding.mode, finding.enforcedMode].join('\u0000');
    let entry = this.findings.get(key);
    if (!entry) {
      if (this.findings.size === FINDINGS) throw new Error(`more than ${FINDINGS} distinct findings`);
      const { rule, check, message, policy, mode, enforcedMode } = finding;
      this.findings.set(key, (entry = { id: this.findings.size, rule, check, path, message, policy, mode, enforcedMode }));
    }
    return entry;
  }

  /**
   * Folds an object's findings into the lines of the object that answers for it: the object itself, or
   * (`owner` given) its top listed owner, into whose pod template its field paths move.
   */
  add(object: JudgedObject, owner: ObjectRef | undefined): void {
    const subjectRef = owner ?? object.ref;
    const own = owner === undefined;
    const subject = this.subjectOf(subjectRef, () => (own ? object.file : pathOfRef(subjectRef)));
    for (const objectFinding of object.findings) {
      const finding = this.findingOf(objectFinding, own ? objectFinding.path : pathInOwner(objectFinding.path, object.ref, subjectRef));
      const key = subject.id * FINDINGS + finding.id;
      let line = this.lines.get(key);
      if (!line) {
        line = {
          result: {
            file: subject.file,
            apiVersion: subjectRef.apiVersion,
            kind: subjectRef.kind,
            namespace: subjectRef.namespace ?? null,
            name: subjectRef.name,
            rule: finding.rule,
            check: finding.check,
            mode: finding.mode,
            enforcedMode: finding.enforcedMode,
            path: finding.path,
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
    this.subjects.clear();
    this.findings.clear();
    return results.sort(compareResults);
  }
}
