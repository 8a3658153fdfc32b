// kubectl's habits in `policygate check`: -f/--filename names inputs (repeatable, - for standard input,
// directories), -o/--output the format (--format stays its alias), and --output-file writes a second
// report for CI from the same run. An old `-f json` gets a clear error, not "json: cannot read".
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDirectories } from '../helpers/scratch.js';
import { FIXTURES, runCli } from './run-cli.js';

const scratch = scratchDirectories('policygate-check-flags');
const PSA = ['check', '--config', 'psa-config.yaml'];
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostIPC: true\n  containers: [{name: c, image: x}]\n';

const filesIn = (stdout: string) => [...new Set([...stdout.matchAll(/^(\S+?):\d+:\d+ /gm)].map((match) => match[1]))];

describe('check -f/--filename', () => {
  it('takes files, directories and - for standard input, repeated and mixed with PATHs, in the order given', async () => {
    const { code, stdout, stderr } = await runCli(['check', '-f', 'psa.yaml', 'repo/apps/web', '--filename', '-', '-f', 'broken.yaml'], { stdin: POD });
    expect(filesIn(stdout)).toEqual(['psa.yaml', 'repo/apps/web/deployment.yaml', 'repo/apps/web/job.yml', '<stdin>', 'broken.yaml']);
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });

  it('reads a file named like a format when there is one', async () => {
    const cwd = await scratch();
    writeFileSync(join(cwd, 'json'), POD);
    const { code, stdout } = await runCli(['check', '-f', 'json'], { cwd });
    expect(stdout).toMatch(/^json:5:3 {2}enforce {2}pod-security\/hostNamespaces /m);
    expect(code).toBe(1);
  });

  it('refuses -f FORMAT when there is no such file, with the flag to use instead', async () => {
    const { code, stdout, stderr } = await runCli(['check', '-f', 'json', 'psa.yaml']);
    expect(stderr).toBe(
      'policygate check: -f json: there is no file named "json". -f names an input, as kubectl\'s --filename does; for the output format use -o json (or --format json)\n',
    );
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

describe('check -o/--output', () => {
  it('names the format; --format is the same flag', async () => {
    const output = await runCli([...PSA, '-o', 'json', 'psa.yaml']);
    const longOutput = await runCli([...PSA, '--output', 'json', 'psa.yaml']);
    const format = await runCli([...PSA, '--format', 'json', 'psa.yaml']);
    expect(JSON.parse(output.stdout)).toMatchObject({ summary: { resources: 1 } });
    expect(longOutput.stdout).toBe(output.stdout);
    expect(format.stdout).toBe(output.stdout);
    expect(output.code).toBe(1);
  });

  it.each([
    [['-o', 'xml'], '--output must be one of text, json, junit, sarif, github (got "xml")'],
    [['-o', 'json', '--format', 'sarif'], '--output "json" and --format "sarif" disagree: give one (--format is another name for --output)'],
    [['--output-file', 'report.out'], '--output-file report.out: cannot tell the format from the name (.sarif, .json, .xml, .txt); add --output-file-format FORMAT'],
    [['--output-file-format', 'sarif'], '--output-file-format needs --output-file FILE'],
    [['--output-file', 'a.sarif', '--output-file', 'b.xml', '--output-file-format', 'json'], '--output-file-format applies to one --output-file; with several, each file name tells its format'],
    [['--output-file', 'no/such/dir/a.sarif'], '--output-file no/such/dir/a.sarif: cannot write: its directory does not exist'],
  ])('usage error: %j', async (flags, message) => {
    const { code, stdout, stderr } = await runCli(['check', ...flags, 'psa.yaml']);
    expect(stderr).toBe(`policygate check: ${message}\n`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

describe('check --output-file', () => {
  it('writes the terminal report and a CI report from one run, each in its own format', async () => {
    const cwd = await scratch();
    mkdirSync(join(cwd, 'out'));
    const terminal = await runCli([...PSA, 'psa.yaml']);
    const { code, stdout, stderr } = await runCli(
      [...PSA, '--output-file', join(cwd, 'out', 'policygate.sarif'), '--output-file', join(cwd, 'out', 'junit.xml'), '--output-file', join(cwd, 'out', 'report.json'), 'psa.yaml'],
      { env: { FORCE_COLOR: '1' } },
    );
    // The terminal gets its report (coloured, as asked); the files get theirs, never coloured.
    expect(stdout.replace(/\u001b\[\d+m/g, '')).toBe(terminal.stdout);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const sarif = await runCli([...PSA, '-o', 'sarif', 'psa.yaml']);
    expect(readFileSync(join(cwd, 'out', 'policygate.sarif'), 'utf8')).toBe(sarif.stdout);
    const junit = await runCli([...PSA, '-o', 'junit', 'psa.yaml']);
    expect(readFileSync(join(cwd, 'out', 'junit.xml'), 'utf8')).toBe(junit.stdout);
    const json = await runCli([...PSA, '-o', 'json', 'psa.yaml']);
    expect(readFileSync(join(cwd, 'out', 'report.json'), 'utf8')).toBe(json.stdout);
  });

  it('takes its format from --output-file-format whatever the name', async () => {
    const cwd = await scratch();
    const { code } = await runCli([...PSA, '-o', 'github', '--output-file', join(cwd, 'results'), '--output-file-format', 'sarif', 'psa.yaml']);
    expect(code).toBe(1);
    expect(JSON.parse(readFileSync(join(cwd, 'results'), 'utf8'))).toMatchObject({ version: '2.1.0' });
  });

  it('is written with input errors too, for CI to show them', async () => {
    const cwd = await scratch();
    const { code } = await runCli(['check', '--output-file', join(cwd, 'report.json'), 'broken.yaml']);
    expect(code).toBe(2);
    expect(existsSync(join(cwd, 'report.json'))).toBe(true);
    expect((JSON.parse(readFileSync(join(cwd, 'report.json'), 'utf8')) as { summary: { errors: number } }).summary.errors).toBe(2);
  });
});

describe('the other commands', () => {
  it('serve takes -c for --config, as the other commands do', async () => {
    const { code, stdout, stderr } = await runCli(['serve', '-c', 'bad-config.yaml', '--dev', '--no-cluster', '--port', '0']);
    expect(stderr).toBe(`policygate serve: ${join(FIXTURES, 'bad-config.yaml')}:3:11: rules.network-policy-allow-all.mode: must be one of enforce, warn, audit, off (got "enforcing")\n`);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('review takes its AdmissionReview with -f, or - for standard input', async () => {
    const named = await runCli(['review', '-f', 'reviews/pod-privileged.json']);
    const piped = await runCli(['review', '--filename', '-'], { stdin: readFileSync(join(FIXTURES, 'reviews', 'pod-privileged.json'), 'utf8') });
    expect(named.code).toBe(1);
    expect(piped.stdout).toBe(named.stdout);
    expect(piped.code).toBe(1);
  });

  it.each([
    [['audit', '-f', 'json'], "policygate audit: -f names input files (kubectl's --filename), and audit reads none: for the output format use -o FORMAT (or --format FORMAT)\n"],
    [['rules', '-f', 'json'], "policygate rules: -f names input files (kubectl's --filename), and rules reads none: for the output format use -o FORMAT (or --format FORMAT)\n"],
  ])('%j refuses the old -f FORMAT with the flag to use', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(stderr).toBe(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('rules and audit take -o for the format', async () => {
    const rules = await runCli(['rules', '-o', 'json']);
    expect(rules.stdout).toBe((await runCli(['rules', '--format', 'json'])).stdout);
    expect(rules.code).toBe(0);
    const audit = await runCli(['audit', '-o', 'yaml']);
    expect(audit.stderr).toBe('policygate audit: --output must be one of text, json (got "yaml")\n');
  });
});
