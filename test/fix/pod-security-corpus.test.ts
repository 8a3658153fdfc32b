// `policygate fix` over Pod Security Admission's whole fixture corpus (test/conformance/pod-security),
// each fixture judged at its own level and version: in a Namespace labelled
// `pod-security.kubernetes.io/enforce: <level>` and `enforce-version: v1.N` (warn and audit off).
//
// - A passing fixture is left byte for byte as it was.
// - No fixture fails a check after the fix that it did not fail before (judged by PSA's evaluator
//   directly, not through fix's own report).
// - `policygate check` reports none of the checks fix said it fixed.
// - A failing fixture whose failures are all fixable passes after the fix. Which ones those are is
//   written down below, from the standard, not computed by the fixer: the four checks fix handles,
//   except the fixtures that set a value fix must not override.
// - Every other failing fixture still fails, and only on checks that fix does not handle or on the
//   value it must not override.
// The figures (how many failing fixtures pass after fix, how many need a person) are printed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixManifests } from '../../src/fix/fix-manifests.js';
import { checkManifests } from '../../src/manifests/check-manifests.js';
import { FIXABLE_CHECKS } from '../../src/rules/fixes/index.js';
import { applyAdmissionDefaults } from '../../src/rules/pod-security/defaulting.js';
import { evaluatePod } from '../../src/rules/pod-security/evaluate.js';
import type { Level } from '../../src/rules/pod-security/level-version.js';
import { podUnderReview } from '../../src/rules/pod-security/pod-spec.js';
import type { KubeObject } from '../../src/rules/types.js';
import { testConfig } from '../helpers/config.js';

const CORPUS = resolve(import.meta.dirname, '../conformance/pod-security');
const NAMESPACE = 'conformance';
const FIXABLE: readonly string[] = FIXABLE_CHECKS['pod-security'] ?? [];

/**
 * Fixtures of the four fixable checks that fix must leave failing, because they set a value the
 * standard forbids on purpose: added capabilities, a container's runAsNonRoot false under a pod that
 * requires true, a seccomp profile type of Unconfined.
 */
const SET_ON_PURPOSE: Record<string, string> = {
  capabilities_restricted3: 'adds capabilities beyond NET_BIND_SERVICE',
  runasnonroot2: 'a container sets runAsNonRoot: false under a pod that requires true',
  runasnonroot3: 'an init container sets runAsNonRoot: false under a pod that requires true',
  seccompprofile_restricted1: 'the pod sets seccompProfile type Unconfined',
  seccompprofile_restricted4: 'a container sets seccompProfile type Unconfined',
};

const FIXABLE_PREFIXES = ['allowprivilegeescalation', 'capabilities_restricted', 'runasnonroot', 'seccompprofile_restricted'];

/** The baseline fixtures of the same fields set the forbidden value at restricted too. */
const SET_ON_PURPOSE_PREFIXES: Record<string, string> = {
  capabilities_baseline: 'adds capabilities beyond the default set',
  seccompprofile_baseline: 'sets seccompProfile type Unconfined, or a forbidden seccomp annotation',
};

function setOnPurpose(name: string): boolean {
  return name in SET_ON_PURPOSE || Object.keys(SET_ON_PURPOSE_PREFIXES).some((prefix) => name.startsWith(prefix));
}

/** Whether the standard says fix must make this fixture pass. */
function mustPassAfterFix(name: string): boolean {
  return FIXABLE_PREFIXES.some((prefix) => name.startsWith(prefix)) && !setOnPurpose(name);
}

interface Group {
  level: Level;
  minor: number;
  files: { path: string; name: string; verdict: 'pass' | 'fail' }[];
}

function groups(): Group[] {
  const found: Group[] = [];
  for (const level of ['baseline', 'restricted'] as const) {
    for (const version of readdirSync(join(CORPUS, level))) {
      const minor = Number(version.slice('v1.'.length));
      const files: Group['files'] = [];
      for (const verdict of ['pass', 'fail'] as const) {
        let names: string[] = [];
        try {
          names = readdirSync(join(CORPUS, level, version, verdict));
        } catch {
          continue;
        }
        for (const file of names.filter((name) => name.endsWith('.yaml')).sort()) files.push({ path: join(CORPUS, level, version, verdict, file), name: file.slice(0, -'.yaml'.length), verdict });
      }
      found.push({ level, minor, files });
    }
  }
  return found;
}

function namespaceManifest(level: Level, minor: number): string {
  return [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    `  name: ${NAMESPACE}`,
    '  labels:',
    '    team: conformance',
    `    pod-security.kubernetes.io/enforce: ${level}`,
    `    pod-security.kubernetes.io/enforce-version: v1.${minor}`,
    '    pod-security.kubernetes.io/warn: privileged',
    '    pod-security.kubernetes.io/audit: privileged',
    '',
  ].join('\n');
}

function failingChecks(level: Level, minor: number, text: string): string[] {
  const pod = podUnderReview(applyAdmissionDefaults(parse(text) as KubeObject));
  if (!pod) throw new Error('not a pod');
  return evaluatePod({ level, version: { latest: false, minor } }, pod).map((failure) => failure.check);
}

describe('policygate fix over the Pod Security conformance corpus', () => {
  it('fixes every failing fixture whose failures are all fixable, and leaves the rest failing only on what needs a person', async () => {
    const config = testConfig();
    let fixtures = 0;
    let failing = 0;
    let passAfterFix = 0;
    const needPerson = new Map<string, number>();
    for (const group of groups()) {
      const namespace = { name: 'namespace.yaml', text: namespaceManifest(group.level, group.minor) };
      const sources = group.files.map((file) => ({ name: file.path, text: readFileSync(file.path, 'utf8') }));
      const report = await fixManifests([namespace, ...sources], [], { config, namespace: NAMESPACE, positions: 'fixed' });
      const fixedText = new Map(report.files.map((file) => [file.name, file.fixed]));
      const again = await fixManifests(
        report.files.map((file) => ({ name: file.name, text: file.fixed })),
        [],
        { config, namespace: NAMESPACE, positions: 'fixed' },
      );
      for (const file of again.files) expect(file.fixed, `${file.name}: a second fix changes nothing`).toBe(file.original);
      const checked = await checkManifests(
        report.files.map((file) => ({ name: file.name, text: file.fixed })),
        [],
        { config, namespace: NAMESPACE },
      );

      for (const [index, file] of group.files.entries()) {
        fixtures++;
        const where = `${group.level}/v1.${group.minor}/${file.verdict}/${file.name}`;
        const original = sources[index]?.text ?? '';
        const fixed = fixedText.get(file.path) ?? '';
        const before = failingChecks(group.level, group.minor, original);
        const after = failingChecks(group.level, group.minor, fixed);
        if (file.verdict === 'pass') {
          expect(before, where).toEqual([]);
          expect(fixed, `${where} passes and must be left as it was`).toBe(original);
          continue;
        }
        failing++;
        expect(before.length, where).toBeGreaterThan(0);
        for (const check of after) expect(before, `${where}: ${check} fails only after the fix`).toContain(check);
        const claimed = report.changes.filter((change) => change.file === file.path).flatMap((change) => change.fixed);
        const stillReported = checked.results.filter((result) => result.file === file.path).map((result) => result.check);
        for (const check of claimed) expect(stillReported, `${where}: check still reports ${check}, which fix said it fixed`).not.toContain(check);

        if (mustPassAfterFix(file.name)) {
          expect(after, `${where} must pass after the fix`).toEqual([]);
          passAfterFix++;
          continue;
        }
        expect(after.length, `${where} needs a person and must still fail`).toBeGreaterThan(0);
        for (const check of after) {
          if (!FIXABLE.includes(check)) continue;
          // A fixable check may only remain where the fixture sets a value on purpose, or where what
          // blocks the fix is itself a finding (a privileged container, a Windows pod, root).
          expect(setOnPurpose(file.name) || after.some((other) => !FIXABLE.includes(other)), `${where}: ${check} remains`).toBe(true);
        }
        needPerson.set(file.name.replace(/\d+$/, ''), (needPerson.get(file.name.replace(/\d+$/, '')) ?? 0) + 1);
      }
    }
    const needing = [...needPerson.values()].reduce((sum, count) => sum + count, 0);
    const ofFixableChecks = FIXABLE_PREFIXES.reduce((sum, prefix) => sum + (needPerson.get(prefix) ?? 0), passAfterFix);
    console.log(
      `policygate fix over ${fixtures} corpus fixtures: ${failing} fail at their own level and version; ` +
        `${passAfterFix} pass after fix (${((100 * passAfterFix) / failing).toFixed(1)} %), ${needing} need a person. ` +
        `Of the ${ofFixableChecks} failing fixtures of the four checks fix handles, ${passAfterFix} pass ` +
        `(${((100 * passAfterFix) / ofFixableChecks).toFixed(1)} %). Needing a person, by fixture: ` +
        `${[...needPerson.entries()].map(([prefix, count]) => `${prefix} ${count}`).join(', ')}`,
    );
    // The corpus is pinned (see pod-security-conformance.test.ts); so are the figures.
    expect(fixtures).toBe(4537);
    expect({ failing, passAfterFix, needing }).toEqual({ failing: 3486, passAfterFix: 301, needing: 3185 });
  }, 900_000);
});
