// Golden files for `policygate fix`, run as a user runs it (the built CLI in a child process): each
// test/fix/fixtures/NAME.in.EXT, fixed in place, must become NAME.out.EXT byte for byte, with the
// exit code the table says; a second run must change nothing; and the only lines that differ from
// the input are added or changed ones (no line is lost). The layouts: comments above, beside and
// inside changed maps, flow style, anchors and aliases (with a merge key), CRLF, a byte-order mark,
// multi-document streams, Lists, JSON, kubectl's sorted keys, empty values, what needs a person.
import { lstatSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { scratchDirectories } from '../helpers/scratch.js';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const CONFIG = 'policygate.yaml';
const scratch = scratchDirectories('policygate-fix');
/** Each test starts the CLI up to three times; on a loaded machine one start can take ten seconds. */
const CLI_TIMEOUT = 120_000;

/** The exit code of the first run: 1 where findings remain that need a person. */
const EXPECTED_EXIT: Record<string, number> = {
  'anchors.in.yaml': 1,
  'bom.in.yaml': 0,
  'comments.in.yaml': 0,
  'crlf.in.yaml': 0,
  'deployment.in.json': 0,
  'flow-style.in.yaml': 0,
  'kubectl-style.in.yaml': 0,
  'list.in.yaml': 1,
  'multi-document.in.yaml': 1,
  'needs-a-person.in.yaml': 1,
  'null-values.in.yaml': 0,
};

const inputs = readdirSync(FIXTURES).filter((name) => /\.in\.(yaml|json)$/.test(name)).sort();
const expectedOf = (input: string) => input.replace('.in.', '.out.');

async function workspace(...files: string[]): Promise<string> {
  const dir = await scratch();
  for (const file of [CONFIG, ...files]) await copyFile(join(FIXTURES, file), join(dir, file));
  return dir;
}

describe('policygate fix golden files', () => {
  it('has an expected output and exit code for every input, and an input for every layout the issue lists', () => {
    expect(inputs).toEqual(Object.keys(EXPECTED_EXIT).sort());
    for (const input of inputs) expect(readdirSync(FIXTURES)).toContain(expectedOf(input));
  });

  it.each(inputs)('%s: fixed in place exactly as the golden file, then a second run changes nothing', async (input) => {
    const dir = await workspace(input);
    const first = await runCli(['fix', '-c', CONFIG, input], { cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code, first.stdout).toBe(EXPECTED_EXIT[input]);
    const expected = readFileSync(join(FIXTURES, expectedOf(input)));
    expect((await readFile(join(dir, input))).toString('latin1')).toBe(expected.toString('latin1'));

    const second = await runCli(['fix', '-c', CONFIG, input], { cwd: dir });
    expect(second.code).toBe(first.code === 0 ? 0 : 1);
    expect(second.stdout).toContain('Changed 0 objects in 0 files');
    expect((await readFile(join(dir, input))).equals(expected)).toBe(true);
  }, CLI_TIMEOUT);

  it.each(inputs)('%s: only added or changed lines differ; no line of the input is lost', (input) => {
    const before = readFileSync(join(FIXTURES, input), 'utf8');
    const after = readFileSync(join(FIXTURES, expectedOf(input)), 'utf8');
    const parts = diffLines(before, after);
    parts.forEach((part, index) => {
      // A removed line is only ever replaced (the next part adds its new form), never dropped.
      if (part.removed) expect(parts[index + 1]?.added, `${input}: ${JSON.stringify(part.value)} removed without a replacement`).toBe(true);
    });
    if (input !== 'needs-a-person.in.yaml') expect(after).not.toBe(before);
  });
});

describe('policygate fix', () => {
  it('--diff prints a unified diff, writes nothing, and reports to standard error', async () => {
    const dir = await workspace('kubectl-style.in.yaml');
    const result = await runCli(['fix', '-c', CONFIG, '--diff', 'kubectl-style.in.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '--- a/kubectl-style.in.yaml',
        '+++ b/kubectl-style.in.yaml',
        '@@ -10,10 +10,21 @@',
        '   - image: registry.k8s.io/pause',
        '     name: container1',
        '     securityContext:',
        '+      allowPrivilegeEscalation: false',
        '       capabilities:',
        '         drop:',
        '         - NET_RAW',
        '+        - ALL',
        '   initContainers:',
        '   - image: registry.k8s.io/pause',
        '     name: initcontainer1',
        '+    securityContext:',
        '+      allowPrivilegeEscalation: false',
        '+      capabilities:',
        '+        drop:',
        '+        - ALL',
        '   restartPolicy: Always',
        '+  securityContext:',
        '+    runAsNonRoot: true',
        '+    seccompProfile:',
        '+      type: RuntimeDefault',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe(
      [
        'Would fix:',
        '  kubectl-style.in.yaml:1:1  Pod shop/sorted  allowPrivilegeEscalation, capabilities_restricted, runAsNonRoot, seccompProfile_restricted',
        '',
        'Would change 1 object in 1 file (of 1 object in 1 file): 8 findings fixed, 0 remaining, 0 input errors.',
        'Passes once the diff is applied.',
        '',
      ].join('\n'),
    );
    expect(await readFile(join(dir, 'kubectl-style.in.yaml'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'kubectl-style.in.yaml'), 'utf8'));
  });

  it('lists what needs a person with file:line:column, at the positions of the file as left (--diff: the original)', async () => {
    const dir = await workspace('needs-a-person.in.yaml');
    const written = await runCli(['fix', '-c', CONFIG, 'needs-a-person.in.yaml'], { cwd: dir });
    expect(written.code).toBe(1);
    expect(written.stdout).toContain('needs-a-person.in.yaml:36:11  enforce  pod-security/hostPathVolumes  hostPath volumes (volume "logs")');
    expect(written.stdout).toContain('needs-a-person.in.yaml:23:13  enforce  pod-security/privileged  privileged (container "agent" must not set securityContext.privileged=true)');
    expect(written.stdout).toContain(
      'needs-a-person.in.yaml:22:11  note     spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: the container is privileged: the API server refuses allowPrivilegeEscalation=false beside it',
    );
    expect(written.stdout).toContain('DaemonSet monitoring/node-agent  partly: allowPrivilegeEscalation, capabilities_restricted');
    expect(written.stdout).toMatch(/Changed 1 object in 1 file \(of 1 object in 1 file\): 0 findings fixed, 13 remaining, 0 input errors\.\nNeeds a person: 13 findings \(exit 1\)\.\n$/);

    const preview = await runCli(['fix', '-c', CONFIG, '--diff', 'needs-a-person.in.yaml'], { cwd: await workspace('needs-a-person.in.yaml') });
    expect(preview.code).toBe(1);
    expect(preview.stderr).toContain('needs-a-person.in.yaml:34:11  enforce  pod-security/hostPathVolumes  hostPath volumes (volume "logs")');
  }, CLI_TIMEOUT);

  it('reads standard input with -, and writes the fixed stream to standard output, byte-order mark and CRLF kept', async () => {
    for (const input of ['bom.in.yaml', 'crlf.in.yaml']) {
      const stdin = readFileSync(join(FIXTURES, input), 'latin1');
      const result = await runCli(['fix', '-c', resolve(FIXTURES, CONFIG), '-'], { stdin: Buffer.from(stdin, 'latin1').toString('utf8') });
      expect(result.code).toBe(0);
      expect(Buffer.from(result.stdout, 'utf8').equals(readFileSync(join(FIXTURES, expectedOf(input))))).toBe(true);
      expect(result.stderr).toContain('<stdin>:1:1  Pod');
    }
  }, CLI_TIMEOUT);

  it('-o json: the changes with their patch, what remains, the notes and the summary', async () => {
    const dir = await workspace('multi-document.in.yaml');
    const result = await runCli(['fix', '-c', CONFIG, '-o', 'json', '-f', 'multi-document.in.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report.summary).toEqual({ files: 1, filesChanged: 1, objects: 4, objectsChanged: 3, fixed: 10, remaining: 1, errors: 0 });
    expect(report.changes).toContainEqual({
      file: 'multi-document.in.yaml',
      line: 3,
      column: 1,
      apiVersion: 'v1',
      kind: 'Namespace',
      namespace: null,
      name: 'shop',
      fixed: ['missing-label'],
      partly: [],
      patch: [{ op: 'add', path: '/metadata/labels/environment', value: 'dev' }],
    });
    expect(report.remaining).toEqual([
      expect.objectContaining({ file: 'multi-document.in.yaml', line: 50, column: 3, kind: 'Namespace', name: 'tools', rule: 'namespace-required-labels', check: 'missing-label', mode: 'enforce' }),
    ]);
    expect(report.notes).toEqual([expect.objectContaining({ line: 50, column: 3, path: 'metadata.labels["team"]' })]);
  });

  it('fixes what it can when another input is broken, and exits 2', async () => {
    const dir = await workspace('bom.in.yaml');
    await writeFile(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [\n');
    const result = await runCli(['fix', '-c', CONFIG, 'bom.in.yaml', 'broken.yaml', 'missing.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('broken.yaml:4:1  error    invalid YAML');
    expect(result.stdout).toContain('missing.yaml  error    cannot read: no such file or directory');
    expect(readFileSync(join(dir, 'bom.in.yaml')).equals(readFileSync(join(FIXTURES, 'bom.out.yaml')))).toBe(true);
  });

  it('leaves a document whose aliases expand to a billion nodes, quickly, with a note', async () => {
    const dir = await workspace();
    const levels = ['    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let level = 1; level <= 8; level++) levels.push(`    l${level}: &l${level} [${Array.from({ length: 10 }, () => `*l${level - 1}`).join(', ')}]`);
    const bomb = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: laughs', 'spec:', '  containers:', '  - name: app', '    image: nginx', '  x-laughs:', ...levels, ''].join('\n');
    await writeFile(join(dir, 'laughs.yaml'), bomb);
    const started = Date.now();
    const result = await runCli(['fix', '-c', CONFIG, 'laughs.yaml'], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('laughs.yaml:1:1  note     Pod default/laughs: not fixed: written out, the aliases of this document are too large to check an edit against');
    expect(await readFile(join(dir, 'laughs.yaml'), 'utf8')).toBe(bomb);
  });

  it('writes through a symbolic link to the file it points at', async () => {
    const dir = await workspace('crlf.in.yaml');
    symlinkSync('crlf.in.yaml', join(dir, 'link.yaml'));
    const result = await runCli(['fix', '-c', CONFIG, 'link.yaml'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(lstatSync(join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'crlf.in.yaml')).equals(readFileSync(join(FIXTURES, 'crlf.out.yaml')))).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('policygate-'))).toEqual([]);
  });

  it.each([
    [['fix'], 'no PATH given'],
    [['fix', '-', 'a.yaml'], 'cannot be combined with other paths'],
    [['fix', '-o', 'sarif', 'a.yaml'], '--output must be one of text, json'],
    [['fix', '--fail-on', 'warn', 'a.yaml'], "Unknown option '--fail-on'"],
  ])('refuses %j with a usage error', async (args, message) => {
    const result = await runCli(args, { cwd: FIXTURES });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('--help shows the usage', async () => {
    const result = await runCli(['fix', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: policygate fix \[options\] PATH\.\.\./);
  });
});
