// Runs Pod Security Admission's own fixture corpus (test/conformance/pod-security, see its
// README) through our evaluator: every fail fixture must be denied with PSA's reason text, every pass
// fixture allowed, at its own level and version; the v1.37 directories again as `latest`.
// No fixture is skipped.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyAdmissionDefaults } from '../src/rules/pod-security/defaulting.js';
import { evaluatePod, evaluatePodAtBothLevels } from '../src/rules/pod-security/evaluate.js';
import { LATEST, NEWEST_KNOWN_MINOR, type Level, type PolicyVersion } from '../src/rules/pod-security/level-version.js';
import { podUnderReview } from '../src/rules/pod-security/pod-spec.js';
import type { PodUnderReview } from '../src/rules/pod-security/check.js';
import type { KubeObject } from '../src/rules/types.js';

const CORPUS = resolve(import.meta.dirname, 'conformance/pod-security');
const EXPECTED_FIXTURES = 4537;

/** The README's table: fixture name prefix → substring PSA's message must contain. Longest prefix first. */
const EXPECTED_SUBSTRING: ReadonlyArray<[prefix: string, substring: string]> = [
  ['allowprivilegeescalation', 'allowPrivilegeEscalation'],
  ['apparmorprofile', 'forbidden AppArmor profile'],
  ['capabilities_baseline', 'capabilities'],
  ['capabilities_restricted', 'unrestricted capabilities'],
  ['hostnamespaces', 'host namespaces'],
  ['hostpathvolumes', 'hostPath'],
  ['hostports', 'hostPort'],
  ['hostprobesandhostlifecycle', 'probe or lifecycle host'],
  ['privileged', 'privileged'],
  ['procmount_restricted', 'procMount'],
  ['procmount', 'procMount'],
  ['restrictedvolumes', 'restricted volume types'],
  ['runasnonroot', 'runAsNonRoot'],
  ['runasuser', 'runAsUser'],
  ['seccompprofile_baseline', 'seccompProfile'],
  ['seccompprofile_restricted', 'seccompProfile'],
  ['selinuxoptions', 'seLinuxOptions'],
  ['sysctls', 'forbidden sysctl'],
  ['windowshostprocess', 'hostProcess'],
];

interface Fixture {
  level: Level;
  version: PolicyVersion;
  label: string;
  verdict: 'pass' | 'fail';
  name: string;
  file: string;
}

function listFixtures(): Fixture[] {
  if (!existsSync(join(CORPUS, 'baseline')) || !existsSync(join(CORPUS, 'restricted'))) {
    throw new Error(`the Pod Security conformance corpus is missing: no baseline/ and restricted/ in ${CORPUS} (its README.md says where it comes from)`);
  }
  const fixtures: Fixture[] = [];
  for (const level of ['baseline', 'restricted'] as const) {
    for (const versionDir of readdirSync(join(CORPUS, level))) {
      const minor = Number(/^v1\.(\d+)$/.exec(versionDir)?.[1]);
      if (!Number.isInteger(minor)) throw new Error(`unexpected directory ${level}/${versionDir} in the corpus`);
      for (const verdict of ['pass', 'fail'] as const) {
        const dir = join(CORPUS, level, versionDir, verdict);
        if (!existsSync(dir)) continue;
        for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort()) {
          const fixture = { level, verdict, name: file.replace(/\.yaml$/, ''), file: join(dir, file) };
          fixtures.push({ ...fixture, version: { latest: false, minor }, label: versionDir });
          if (minor === NEWEST_KNOWN_MINOR) fixtures.push({ ...fixture, version: LATEST, label: 'latest' });
        }
      }
    }
  }
  return fixtures;
}

function expectedSubstring(name: string): string {
  const match = EXPECTED_SUBSTRING.find(([prefix]) => name.startsWith(prefix));
  if (!match) throw new Error(`fixture ${name} has no expected substring in the README's table`);
  return match[1];
}

function fixturePod(fixture: Fixture): PodUnderReview {
  const pod = podUnderReview(applyAdmissionDefaults(parse(readFileSync(fixture.file, 'utf8')) as KubeObject));
  if (!pod) throw new Error(`${fixture.file} is not a Pod`);
  return pod;
}

function evaluateFixture(fixture: Fixture): string[] {
  return evaluatePod({ level: fixture.level, version: fixture.version }, fixturePod(fixture)).map((failure) => failure.message);
}

const fixtures = listFixtures();

describe('Pod Security Admission conformance corpus', () => {
  it(`holds all ${EXPECTED_FIXTURES} fixtures, and the v1.${NEWEST_KNOWN_MINOR} ones again as latest`, () => {
    const files = fixtures.filter((fixture) => !fixture.version.latest);
    expect(files).toHaveLength(EXPECTED_FIXTURES);
    expect(fixtures.length - files.length).toBe(files.filter((fixture) => fixture.label === `v1.${NEWEST_KNOWN_MINOR}`).length);
  });

  // The webhook judges most pods at baseline and at restricted of one version together (enforce
  // baseline, warn and audit restricted), in one pass over both levels' checks.
  it('gives, in one pass over both levels, exactly what each level gives on its own, for every fixture pod', () => {
    let compared = 0;
    for (const fixture of fixtures) {
      const pod = fixturePod(fixture);
      expect(evaluatePodAtBothLevels(fixture.version, pod), `${fixture.label} ${fixture.level} ${fixture.name}`).toEqual({
        baseline: evaluatePod({ level: 'baseline', version: fixture.version }, pod),
        restricted: evaluatePod({ level: 'restricted', version: fixture.version }, pod),
      });
      compared++;
    }
    expect(compared).toBe(fixtures.length);
  });

  for (const level of ['baseline', 'restricted'] as const) {
    describe(level, () => {
      const ofLevel = fixtures.filter((fixture) => fixture.level === level);
      it.each(ofLevel.filter((fixture) => fixture.verdict === 'fail').map((fixture) => [`${fixture.label} ${fixture.name}`, fixture] as const))(
        'denies %s',
        (_, fixture) => {
          const messages = evaluateFixture(fixture);
          expect(messages.length, 'at least one violation').toBeGreaterThan(0);
          const text = messages.join(', ');
          expect(text).toContain(expectedSubstring(fixture.name));
          expect(text).not.toContain('unknown forbidden reason');
        },
      );
      it.each(ofLevel.filter((fixture) => fixture.verdict === 'pass').map((fixture) => [`${fixture.label} ${fixture.name}`, fixture] as const))(
        'allows %s',
        (_, fixture) => {
          expect(evaluateFixture(fixture)).toEqual([]);
        },
      );
    });
  }
});
