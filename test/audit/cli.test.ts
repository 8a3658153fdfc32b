// `policygate audit`: flags, formats, exit codes and progress, in-process; then the real binary as a
// child process (`npm test` builds dist/ first), as an operator or a CI job runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressLine } from '../../src/audit/index.js';
import { auditCommand } from '../../src/cli/audit.js';
import { runCli } from '../cli/run-cli.js';
import { generateCluster } from './fake-cluster.mjs';
import { captureIO, startTestCluster, unreachableKubeconfig, type TestCluster } from './helpers.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster(generateCluster({ namespaces: 8 }));
});
afterAll(() => cluster.close());

describe('policygate audit (in-process)', () => {
  it('prints the JSON report and exits 1 when enforcing would refuse something', async () => {
    const io = captureIO();
    const code = await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, '--format', 'json'], io);
    expect(code).toBe(1);
    const report = JSON.parse(io.out());
    expect(Object.keys(report.summary)).toEqual(['files', 'resources', 'enforce', 'warn', 'audit', 'excepted', 'errors', 'skipped', 'off', 'enforced']);
    expect(report.summary.enforced.enforce).toBeGreaterThan(0);
    // Not capped: every result the summary counts is there.
    expect(report.results.filter((result: { enforcedMode: string }) => result.enforcedMode === 'enforce')).toHaveLength(report.summary.enforced.enforce);
    expect(report).not.toHaveProperty('omitted');
    expect(io.err()).toBe('');
  });

  it.each([
    [['--fail-on', 'never'], 0, /^Passed \(--fail-on never\)\.$/],
    [['--fail-on', 'warn'], 1, /^Failed: \d+ findings at or above --fail-on warn if enforced \(exit 1\)\.$/],
    [['--namespace', 'team-0002', '--fail-on', 'enforce'], 0, /^Passed: nothing at or above --fail-on enforce, even enforced\.$/],
    [['--namespace', 'team-0000', '--fail-on', 'enforce'], 1, /^Failed: \d+ findings at or above --fail-on enforce if enforced \(exit 1\)\.$/],
  ])('%j exits %i and says why', async (flags, expected, verdict) => {
    const io = captureIO();
    expect(await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, ...flags], io)).toBe(expected);
    expect(io.out().trimEnd().split('\n').at(-1)).toMatch(verdict);
    expect(io.err()).toBe('');
  });

  it('takes the cluster from KUBECONFIG', async () => {
    const io = captureIO({ env: { KUBECONFIG: cluster.kubeconfigFile } });
    expect(await auditCommand.run(['--fail-on', 'never', '--max-objects', '1'], io)).toBe(0);
    expect(io.out()).toContain(`policygate audit of ${cluster.fake.url}: 136 objects in 8 namespaces`);
    expect(io.out()).toMatch(/ {2}and \d+ more \(--max-objects 0 shows all\)/);
  });

  it('shows progress on stderr only when stderr is a terminal', async () => {
    const tty = captureIO({ tty: true });
    await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, '--page-size', '20'], tty);
    expect(tty.err()).toContain('\r\u001b[2KListing namespaces: 8 (8 objects so far)');
    expect(tty.err().endsWith('\r\u001b[2K')).toBe(true);
    const pipe = captureIO();
    await auditCommand.run(['--kubeconfig', cluster.kubeconfigFile, '--page-size', '20'], pipe);
    expect(pipe.err()).toBe('');
  });
});

describe('policygate audit: refusals (the binary)', () => {
  it.each([
    [['--format', 'junit'], '--format must be one of text, json (got "junit")'],
    [['--fail-on', 'sometimes'], '--fail-on must be one of enforce, warn, audit, never (got "sometimes")'],
    [['--max-objects', 'lots'], '--max-objects must be a whole number (got "lots")'],
    [['--page-size', '0'], '--page-size must be a whole number of at least 1 (got "0")'],
    [['--namespace', 'Team_A'], '--namespace must be a namespace name such as "team-a" (got "Team_A")'],
    [['deploy/'], 'Unexpected argument \'deploy/\'. This command does not take positional arguments (see --help)'],
    [[], 'no cluster to audit: pass --kubeconfig FILE or set KUBECONFIG (in a pod, the service account is used)'],
  ])('refuses %j: one line on stderr, exit 2', async (flags, message) => {
    const result = await runCli(['audit', ...flags]);
    expect(result.stderr).toBe(`policygate audit: ${message}\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });
});

describe('progressLine', () => {
  it('rewrites one line at most every 100 ms, and clears it when done', () => {
    const io = captureIO();
    let now = 0;
    const line = progressLine(io.stderr, { now: () => now });
    const step = (listed: number) => line.update({ resource: 'pods', listed, remaining: 10_000 - listed, total: 2_000 + listed });
    step(500);
    now = 50;
    step(1000);
    now = 150;
    step(1500);
    line.done();
    expect(io.err()).toBe('\r\u001b[2KListing pods: 500 of ~10,000 (2,500 objects so far)\r\u001b[2KListing pods: 1,500 of ~10,000 (3,500 objects so far)\r\u001b[2K');
  });
});

describe('policygate audit (the binary)', () => {
  it('audits the cluster and exits 1', async () => {
    const result = await runCli(['audit', '--kubeconfig', cluster.kubeconfigFile, '--max-objects', '2']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Enforcing would refuse:');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Failed: \d+ findings at or above --fail-on enforce if enforced \(exit 1\)\.$/);
  });

  it('exits 2 with one line when the cluster cannot be reached', async () => {
    const gone = await unreachableKubeconfig();
    try {
      const result = await runCli(['audit', '--kubeconfig', gone.file]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^policygate audit: cannot list namespaces from ${gone.server.replaceAll('.', '\\.')}: connect ECONNREFUSED [0-9.:]+\\n$`));
    } finally {
      await gone.cleanup();
    }
  });

  it('exits 2 on a kubeconfig that cannot be read', async () => {
    const result = await runCli(['audit', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(result.stderr).toContain('cannot load --kubeconfig /nonexistent/kubeconfig');
  });
});
