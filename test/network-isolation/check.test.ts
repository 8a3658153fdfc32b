// network-isolation in `policygate check`, through the real CLI: the context is the input (its
// Namespaces, its policies of the same namespace), each finding at its line, and the exit code --fail-on
// makes of them. The fixtures are the pitfalls of the guides our users follow, and the same namespaces
// done as those guides recommend.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { scratchDirectories } from '../helpers/scratch.js';

const HERE = import.meta.dirname;
const scratch = scratchDirectories('policygate-network-check');

function lines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('fixtures/') || line.startsWith('<stdin>:'));
}

/** `file:line:column  mode  rule/check` of each finding line. */
function located(stdout: string): string[] {
  return lines(stdout).map((line) => line.split(/ {2,}/).slice(0, 3).join('  '));
}

describe('policygate check judges network policies with the input around them', () => {
  it('finds every pitfall, at its line, each in its default mode', async () => {
    const { code, stdout, stderr } = await runCli(['check', 'fixtures/pitfalls.yaml'], { cwd: HERE });
    expect(stderr).toBe('');
    expect(located(stdout)).toEqual([
      'fixtures/pitfalls.yaml:14:3  audit  network-isolation/namespace-without-default-deny',
      'fixtures/pitfalls.yaml:21:3  audit  network-isolation/namespace-without-default-deny',
      'fixtures/pitfalls.yaml:34:7  warn  network-isolation/egress-blocks-dns',
      'fixtures/pitfalls.yaml:47:11  warn  network-isolation/selector-matches-nothing',
      'fixtures/pitfalls.yaml:68:7  warn  network-isolation/egress-blocks-dns',
      'fixtures/pitfalls.yaml:99:3  warn  network-isolation/system-namespace-default-deny',
      'fixtures/pitfalls.yaml:102:7  warn  network-isolation/egress-blocks-dns',
    ]);
    expect(stdout).toContain(
      'network-isolation/selector-matches-nothing  NetworkPolicy production/allow-from-monitoring: from[0]: namespaceSelector {purpose=monitoring} and podSelector {app=prometheus} matches no namespace, so this peer of spec.ingress[0] admits nothing: ' +
        'no Namespace in the input has the label purpose=monitoring; label the namespace to admit: kubectl label namespace monitoring purpose=monitoring',
    );
    expect(stdout).toContain('(backend-policy) do so over UDP only');
    expect(stdout).toContain('not every pod of namespace staging is isolated for ingress: allow-frontend isolates only the pods it selects');
    // Warnings and audit findings: kubectl apply would go through.
    expect(code).toBe(0);
  });

  it('fails on them with --fail-on warn and --fail-on audit', async () => {
    expect((await runCli(['check', '--fail-on', 'warn', 'fixtures/pitfalls.yaml'], { cwd: HERE })).code).toBe(1);
    const audit = await runCli(['check', '--fail-on', 'audit', 'fixtures/pitfalls.yaml'], { cwd: HERE });
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain('Failed: 7 findings at or above --fail-on audit (exit 1).');
  });

  it('finds nothing in the namespaces done as the guides recommend', async () => {
    const { code, stdout } = await runCli(['check', '--fail-on', 'audit', 'fixtures/fixed.yaml'], { cwd: HERE });
    expect(lines(stdout)).toEqual([]);
    expect(code).toBe(0);
  });

  it('reads the context from standard input alike, wherever in the input a policy comes', async () => {
    const text = await readFile(join(HERE, 'fixtures/pitfalls.yaml'), 'utf8');
    const documents = text.split('\n---\n');
    // The policies first, the Namespaces last: the whole input is the context.
    const reordered = [...documents.slice(3), ...documents.slice(0, 3)].join('\n---\n');
    const { stdout } = await runCli(['check', '--fail-on', 'never', '-'], { cwd: HERE, stdin: reordered });
    const checks = lines(stdout).map((line) => line.split(/ {2,}/)[2]);
    expect(checks.sort()).toEqual(
      [
        'network-isolation/egress-blocks-dns',
        'network-isolation/egress-blocks-dns',
        'network-isolation/egress-blocks-dns',
        'network-isolation/namespace-without-default-deny',
        'network-isolation/namespace-without-default-deny',
        'network-isolation/selector-matches-nothing',
        'network-isolation/system-namespace-default-deny',
      ].sort(),
    );
  });

  it('judges namespace selectors only against Namespaces in the input: none, no finding', async () => {
    const policy = (await readFile(join(HERE, 'fixtures/pitfalls.yaml'), 'utf8')).split('\n---\n').find((document) => document.includes('allow-from-monitoring')) ?? '';
    const { stdout, code } = await runCli(['check', '--fail-on', 'warn', '-'], { cwd: HERE, stdin: policy });
    expect(lines(stdout)).toEqual([]);
    expect(code).toBe(0);
  });

  it('asks no default-deny of a Namespace when the input holds no network policy at all', async () => {
    const namespaces = (await readFile(join(HERE, 'fixtures/pitfalls.yaml'), 'utf8')).split('\n---\n').slice(0, 3).join('\n---\n');
    const alone = await runCli(['check', '--fail-on', 'audit', '-'], { cwd: HERE, stdin: namespaces });
    expect(lines(alone.stdout)).toEqual([]);
    expect(alone.code).toBe(0);
    // One policy anywhere in the input: the input speaks for the network, and each namespace is judged.
    const withOne = await runCli(['check', '--fail-on', 'audit', '-'], {
      cwd: HERE,
      stdin: `${namespaces}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: production}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n`,
    });
    expect(located(withOne.stdout)).toEqual([
      '<stdin>:14:3  audit  network-isolation/namespace-without-default-deny',
      '<stdin>:21:3  audit  network-isolation/namespace-without-default-deny',
    ]);
    expect(withOne.code).toBe(1);
  });

  it('lets a configuration switch a check to enforce, which fails the run', async () => {
    const dir = await scratch();
    const config = join(dir, 'policygate.yaml');
    await writeFile(config, 'rules:\n  network-isolation:\n    checks:\n      egress-blocks-dns: enforce\n');
    const { code, stdout } = await runCli(['check', '--config', config, 'fixtures/pitfalls.yaml'], { cwd: HERE });
    expect(stdout).toContain('fixtures/pitfalls.yaml:34:7  enforce  network-isolation/egress-blocks-dns');
    expect(code).toBe(1);
  });
});
