// Consistency is checked by tests, not by review: the registries and the files must match, every rule
// and check has a test and a description, and the Pod Security registry keeps PSA's invariants.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PodSecurityCheck } from '../src/rules/pod-security/check.js';
import { CHECK_TABLES, POD_SECURITY_CHECKS, compileChecks, validateChecks } from '../src/rules/pod-security/registry.js';
import { MUTATIONS, RULES } from '../src/rules/registry.js';

const RULES_DIR = resolve(import.meta.dirname, '../src/rules');
const tsFiles = (dir: string) => readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
const kebab = (id: string) => id.replace(/_/g, '-').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

function isRuleLike(value: unknown): value is { id: string } {
  return typeof value === 'object' && value !== null && 'id' in value && 'meta' in value && 'evaluate' in value;
}

describe('rule registry', () => {
  it('lists exactly the rules defined in src/rules/*.ts, each in the file named by its ID', async () => {
    const defined: string[] = [];
    for (const file of tsFiles(RULES_DIR)) {
      const exports = (await import(join(RULES_DIR, file))) as Record<string, unknown>;
      for (const value of Object.values(exports)) if (isRuleLike(value)) {
        expect(file, `rule ${value.id}`).toBe(`${value.id}.ts`);
        defined.push(value.id);
      }
    }
    expect([...new Set(defined)].sort()).toEqual(RULES.map((rule) => rule.id).sort());
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s has a test, a description, a rationale and described checks', (id, rule) => {
    expect(tsFilesWithTests(RULES_DIR)).toContain(`${id}.test.ts`);
    expect(rule.meta.description.length).toBeGreaterThan(20);
    expect(rule.meta.rationale.length).toBeGreaterThan(20);
    expect(rule.meta.appliesTo.length).toBeGreaterThan(0);
    const ids = rule.meta.checks.map((check) => check.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const check of rule.meta.checks) expect(check.description, `${id}/${check.id}`).not.toBe('');
  });

  it('lists exactly the mutations in src/rules/mutations/, each with a test', () => {
    const dir = join(RULES_DIR, 'mutations');
    expect(tsFiles(dir).sort()).toEqual(MUTATIONS.map((mutation) => `${mutation.id}.ts`).sort());
    for (const mutation of MUTATIONS) expect(tsFilesWithTests(dir)).toContain(`${mutation.id}.test.ts`);
  });
});

function tsFilesWithTests(dir: string): string[] {
  return readdirSync(dir).filter((file) => file.endsWith('.test.ts'));
}

describe('Pod Security check registry', () => {
  const checksDir = join(RULES_DIR, 'pod-security/checks');

  it('registers every check file, named after its check ID, each with a unit test', () => {
    const checkFiles = tsFiles(checksDir).filter((file) => file !== 'check-test-helpers.ts');
    expect(checkFiles.sort()).toEqual(POD_SECURITY_CHECKS.map((check) => `${kebab(check.id)}.ts`).sort());
    for (const check of POD_SECURITY_CHECKS) expect(tsFilesWithTests(checksDir)).toContain(`${kebab(check.id)}.test.ts`);
  });

  it('holds the 19 PSA checks: 12 baseline, 7 restricted', () => {
    expect(POD_SECURITY_CHECKS.filter((check) => check.level === 'baseline')).toHaveLength(12);
    expect(POD_SECURITY_CHECKS.filter((check) => check.level === 'restricted')).toHaveLength(7);
  });

  const checkPod = () => ({ allowed: true, reason: '', detail: '', paths: [] });
  const check = (id: string, level: 'baseline' | 'restricted', versions: PodSecurityCheck['versions']) => ({ id, level, description: 'x', versions }) as PodSecurityCheck;

  it.each([
    ['a duplicate ID', [check('privileged', 'baseline', [{ minimumMinor: 0, checkPod }]), check('privileged', 'baseline', [{ minimumMinor: 0, checkPod }])], /registered twice/],
    ['no versions', [check('privileged', 'baseline', [])], /no versions/],
    ['versions that do not increase', [check('privileged', 'baseline', [{ minimumMinor: 5, checkPod }, { minimumMinor: 5, checkPod }])], /strictly increase/],
    ['a version newer than known', [check('privileged', 'baseline', [{ minimumMinor: 99, checkPod }])], /strictly increase/],
    ['a baseline check that overrides', [check('privileged', 'baseline', [{ minimumMinor: 0, checkPod, overrideCheckIds: ['sysctls'] }])], /only restricted/],
    ['an override of a non-baseline check', [check('runAsUser', 'restricted', [{ minimumMinor: 0, checkPod, overrideCheckIds: ['runAsNonRoot'] }])], /not a baseline check/],
  ])('refuses %s', (_, checks, message) => {
    expect(() => validateChecks(checks)).toThrow(message);
  });

  it('the shipped list is valid and compiles to one table per minor version', () => {
    expect(() => compileChecks(POD_SECURITY_CHECKS)).not.toThrow();
    expect(CHECK_TABLES.baseline).toHaveLength(38);
    expect(CHECK_TABLES.restricted).toHaveLength(38);
  });

  const idsAt = (level: 'baseline' | 'restricted', minor: number) => (CHECK_TABLES[level][minor] ?? []).map((entry) => entry.id as string);

  it.each([
    [0, ['hostPathVolumes']],
    [19, ['hostPathVolumes', 'seccompProfile_baseline']],
    [22, ['hostPathVolumes', 'seccompProfile_baseline', 'capabilities_baseline']],
    [35, ['hostPathVolumes', 'seccompProfile_baseline', 'capabilities_baseline', 'procMount']],
  ])('restricted at v1.%i drops the baseline checks its overrides replace', (minor, dropped) => {
    for (const id of dropped) expect(idsAt('restricted', minor)).not.toContain(id);
    for (const id of idsAt('baseline', minor)) if (!dropped.includes(id)) expect(idsAt('restricted', minor)).toContain(id);
  });

  it('orders baseline checks before restricted ones, each sorted by ID as PSA sorts them', () => {
    const restricted = idsAt('restricted', 37);
    const levelOf = new Map(POD_SECURITY_CHECKS.map((entry) => [entry.id as string, entry.level]));
    const baselinePart = restricted.filter((id) => levelOf.get(id) === 'baseline');
    const restrictedPart = restricted.filter((id) => levelOf.get(id) === 'restricted');
    expect(restricted).toEqual([...baselinePart, ...restrictedPart]);
    expect(baselinePart).toEqual([...baselinePart].sort());
    expect(restrictedPart).toEqual([...restrictedPart].sort());
    expect(idsAt('baseline', 37).every((id) => levelOf.get(id) === 'baseline')).toBe(true);
  });

  it('a check whose first variant is newer than the version asked for does not run', () => {
    expect(idsAt('baseline', 33)).not.toContain('hostProbesAndHostLifecycle');
    expect(idsAt('baseline', 34)).toContain('hostProbesAndHostLifecycle');
    expect(idsAt('restricted', 7)).not.toContain('allowPrivilegeEscalation');
    expect(idsAt('restricted', 8)).toContain('allowPrivilegeEscalation');
  });
});
