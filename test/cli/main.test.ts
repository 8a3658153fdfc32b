// The `policygate` binary itself: help on stdout when asked for, usage on stderr when it is a usage
// error (no command, an unknown one), and the version from package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NODE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node', 'package.json'), 'utf8')) as { version: string }).version;
const USAGE_START = 'policygate: Kubernetes admission policy';

describe('policygate', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage on stdout and exits 0', async (flag) => {
    const result = await runCli([flag]);
    expect(result.stdout.startsWith(USAGE_START)).toBe(true);
    expect(result.stdout).toContain('Usage: policygate <command> [options]');
    for (const command of ['serve', 'check', 'fix', 'review', 'rules', 'certs', 'audit', 'baseline', 'webhooks', 'completion', 'version']) expect(result.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('with no command prints the usage on stderr and exits 2', async () => {
    const help = await runCli(['--help']);
    const result = await runCli([]);
    expect(result.stderr).toBe(help.stdout);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it('names an unknown command on stderr, with the usage, and exits 2', async () => {
    const help = await runCli(['--help']);
    const result = await runCli(['frobnicate', '--flag']);
    expect(result.stderr).toBe(`policygate: unknown command "frobnicate"\n\n${help.stdout}`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it.each([['--version'], ['-v'], ['version']])('%s prints the version from package.json and the Node.js it runs on, and exits 0', async (flag) => {
    const result = await runCli([flag]);
    // The tests run the CLI on the Node.js that the `node` dependency installs.
    expect(result.stdout).toBe(`policygate ${VERSION} (Node.js v${NODE_VERSION})\n`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses an argument to `version` (exit 2)', async () => {
    const result = await runCli(['version', 'now']);
    expect(result.stderr).toMatch(/^policygate version: Unexpected argument 'now'.* \(see --help\)\n$/);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it("prints a command's --help on stdout and exits 0", async () => {
    const result = await runCli(['certs', '--help']);
    expect(result.stdout.startsWith('Usage: policygate certs [options]')).toBe(true);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
