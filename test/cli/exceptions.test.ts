// `policygate check` and `review` with exceptions, in-process with a fixed clock: one warning line per
// expired exception, excepted findings in every output format, and the exit code untouched by them.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check.js';
import { reviewCommand } from '../../src/cli/review.js';
import { captureIO } from '../audit/helpers.js';
import { scratchDirectories } from '../helpers/scratch.js';

const scratch = scratchDirectories('policygate-exceptions-cli');
const NOW = Date.parse('2027-03-31T22:00:00Z');

const CONFIG = `exceptions:
  - name: privileged-web
    reason: "the web image loads a kernel module (OPS-1)"
    expires: 2027-03-31
    match: {names: [web]}
    checks: [pod-security/privileged]
  - name: old-one
    reason: "gone"
    expires: 2027-03-01T00:00:00Z
    match: {}
    checks: [pod-security/*]
  - name: older-one
    reason: "gone too"
    expires: 2026-12-31
    match: {}
    checks: [pod-security/*]
`;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx
      securityContext:
        privileged: true
`;

async function inDirectory() {
  const dir = await scratch();
  await writeFile(join(dir, 'policygate.yaml'), CONFIG);
  await writeFile(join(dir, 'pod.yaml'), POD);
  return dir;
}

async function check(args: string[], now = NOW) {
  const dir = await inDirectory();
  const io = { ...captureIO(), cwd: dir, now: () => now };
  const code = await checkCommand.run(['--config', join(dir, 'policygate.yaml'), ...args, join(dir, 'pod.yaml')], io);
  return { code, out: io.out().replaceAll(`${dir}/`, ''), err: io.err() };
}

describe('check with exceptions', () => {
  it('prints one line per expired exception on stderr, and excepted findings in the text report', async () => {
    const { code, out, err } = await check([]);
    expect(err).toBe(
      'policygate check: exception "old-one" expired (expires: 2027-03-01T00:00:00Z) and no longer applies: renew it or remove it\n' +
        'policygate check: exception "older-one" expired (expires: 2026-12-31) and no longer applies: renew it or remove it\n',
    );
    expect(code).toBe(0);
    expect(out).toContain('pod.yaml:10:9  excepted  pod-security/privileged  Pod default/web: privileged (container "app" must not set securityContext.privileged=true) (exception privileged-web)\n');
    // Raised as warn and audit, shown once, in its strongest mode.
    expect(out).toContain('pod.yaml:9:7  warn      pod-security/allowPrivilegeEscalation  Pod default/web: ');
    expect(out).toContain('Checked 1 resource in 1 file: 0 enforce, 4 warn, 0 audit, 1 excepted, 0 input errors.\n');
  });

  it('refuses again once the exception has expired, by the clock it is given', async () => {
    const { code, out, err } = await check([], Date.parse('2027-04-01T00:00:00Z'));
    expect(code).toBe(1);
    expect(out).not.toContain('excepted');
    expect(err.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('JSON: mode excepted and the exception, in the summary too', async () => {
    const { out } = await check(['--format', 'json']);
    const report = JSON.parse(out) as { results: Record<string, unknown>[]; summary: Record<string, number> };
    expect(report.results.filter((result) => result.mode === 'excepted')).toEqual([
      {
        file: 'pod.yaml',
        line: 10,
        column: 9,
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'default',
        name: 'web',
        rule: 'pod-security',
        check: 'privileged',
        mode: 'excepted',
        exception: 'privileged-web',
        path: 'spec.containers[0].securityContext.privileged',
        message: 'privileged (container "app" must not set securityContext.privileged=true)',
      },
    ]);
    expect(report.results.filter((result) => result.mode !== 'excepted').every((result) => !('exception' in result))).toBe(true);
    expect(report.summary).toEqual({ files: 1, resources: 1, enforce: 0, warn: 4, audit: 4, excepted: 1, errors: 0, skipped: 0 });
  });

  it('SARIF: a suppressed note; GitHub: no annotation; JUnit: among the passing lines', async () => {
    const sarif = JSON.parse((await check(['--format', 'sarif'])).out) as { runs: { results: Record<string, unknown>[] }[] };
    const excepted = sarif.runs[0]?.results.filter((result) => result.ruleId === 'pod-security/privileged') ?? [];
    expect(excepted).toHaveLength(1);
    expect(excepted[0]).toMatchObject({ level: 'note', suppressions: [{ kind: 'external', justification: 'policygate exception privileged-web' }], properties: { mode: 'excepted', exception: 'privileged-web' } });
    const github = (await check(['--format', 'github'])).out;
    expect(github).not.toContain('pod-security/privileged');
    expect(github).toContain('1 excepted');
    const junit = (await check(['--format', 'junit', '--fail-on', 'audit'])).out;
    expect(junit).toContain('<system-out>pod.yaml:10:9  excepted  pod-security/privileged  privileged (container &quot;app&quot; must not set securityContext.privileged=true) (exception privileged-web)');
  });
});

describe('review with exceptions', () => {
  it('answers as the webhook, with the exception in the audit annotations, and warns about the expired ones', async () => {
    const dir = await inDirectory();
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        operation: 'CREATE',
        namespace: 'default',
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] } },
      },
    };
    await writeFile(join(dir, 'review.json'), JSON.stringify(review));
    const io = { ...captureIO(), cwd: dir, now: () => NOW };
    expect(await reviewCommand.run(['--config', join(dir, 'policygate.yaml'), join(dir, 'review.json')], io)).toBe(0);
    const response = (JSON.parse(io.out()) as { response: { allowed: boolean; auditAnnotations: Record<string, string> } }).response;
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations['policygate-exceptions']).toBe('privileged-web: pod-security/privileged');
    expect(io.err().split('\n')).toEqual([
      'policygate review: exception "old-one" expired (expires: 2027-03-01T00:00:00Z) and no longer applies: renew it or remove it',
      'policygate review: exception "older-one" expired (expires: 2026-12-31) and no longer applies: renew it or remove it',
      'allowed with 8 warn/audit finding(s) and 3 finding(s) excepted by privileged-web',
      '',
    ]);
  });
});
