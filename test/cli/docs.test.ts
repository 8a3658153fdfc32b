// The checker's documentation is executed: every example marked `<!-- example: FILE -->` is written to
// FILE (with every block marked `<!-- input: FILE -->` beside it) and the `console` block after it is
// run with the real binary, its output compared word for word;
// the JSON contract shown is exactly what the binary writes for the example and a file with a typo.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

const DOCUMENTS = ['README.md'];

interface Example {
  document: string;
  file: string;
  manifest: string;
  args: string[];
  output: string;
}

function examples(): Example[] {
  const found: Example[] = [];
  for (const document of DOCUMENTS) {
    const text = readFileSync(join(ROOT, document), 'utf8');
    for (const match of text.matchAll(/<!-- example: (\S+) -->\n```ya?ml\n([\s\S]*?)```\n/g)) {
      const after = text.slice((match.index ?? 0) + match[0].length);
      const run = /^\s*```console\n\$ policygate ([^\n]*)\n([\s\S]*?)```/.exec(after);
      if (!run?.[1] || run[2] === undefined || !match[1] || match[2] === undefined) throw new Error(`${document}: example ${match[1]} has no console block after it`);
      found.push({ document, file: match[1], manifest: match[2], args: run[1].split(' '), output: run[2] });
    }
  }
  return found;
}

describe('documented examples', () => {
  const directory = mkdtempSync(join(tmpdir(), 'policygate-docs-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const all = examples();

  it('exist', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  // Files an example reads besides its manifest (a configuration, say), each marked `<!-- input: FILE -->`.
  for (const document of DOCUMENTS) {
    for (const match of readFileSync(join(ROOT, document), 'utf8').matchAll(/<!-- input: (\S+) -->\n```ya?ml\n([\s\S]*?)```\n/g)) {
      if (match[1] && match[2] !== undefined) writeFileSync(join(directory, match[1]), match[2]);
    }
  }

  it.each(all.map((example) => [`${example.document}: policygate ${example.args.join(' ')}`, example] as const))('%s', async (_name, example) => {
    writeFileSync(join(directory, example.file), example.manifest);
    const { code, stdout, stderr } = await runCli(example.args, { cwd: directory });
    expect(stdout).toBe(example.output);
    // The console block is all a user sees: nothing on stderr, and the exit code the summary names.
    expect(stderr).toBe('');
    expect(code).toBe(Number(/\(exit (\d)\)/.exec(example.output)?.[1] ?? 0));
  });

  it('shows the JSON contract as `-o json` writes it, for the documented example and typo', async () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = JSON.parse(/```json\n([\s\S]*?)```/.exec(text)?.[1] ?? 'null') as { results: object[]; errors: object[]; summary: object };
    const example = all.find((candidate) => candidate.file === 'shop.yaml');
    const typo = /<!-- input: typo\.yaml -->\n```yaml\n([\s\S]*?)```/.exec(text)?.[1];
    if (!example || typo === undefined) throw new Error('README.md: the shop.yaml example or the typo.yaml input is missing');
    writeFileSync(join(directory, example.file), example.manifest);
    writeFileSync(join(directory, 'typo.yaml'), typo);
    const { code, stdout } = await runCli(['check', '-o', 'json', example.file, 'typo.yaml'], { cwd: directory });
    const real = JSON.parse(stdout) as typeof shown;
    expect(code).toBe(2);
    expect(shown).toEqual(real);
    // Field order too: the README is what people write parsers against.
    const keys = (value: object | undefined) => Object.keys(value ?? {});
    expect(keys(shown)).toEqual(keys(real));
    expect(keys(shown.results[0])).toEqual(keys(real.results[0]));
    expect(keys(shown.errors[0])).toEqual(keys(real.errors[0]));
    expect(keys(shown.summary)).toEqual(keys(real.summary));
  });

  it('shows a GitHub Actions job that is valid YAML, annotates the pull request and uploads SARIF from the same run', () => {
    const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const workflow = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '').find((block) => block.startsWith('jobs:'));
    type Step = { run?: string; uses?: string; if?: string; with?: Record<string, string> };
    const job = (load(workflow ?? '') as { jobs: Record<string, { steps: Step[] }> }).jobs.policygate;
    const checks = job?.steps.filter((step) => step.run?.includes(' check ')) ?? [];
    expect(checks).toHaveLength(1);
    expect(checks[0]?.run).toContain('check --config policygate.yaml -o github --output-file policygate.sarif -f deploy/');
    const upload = job?.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'));
    // Uploaded even when the check fails the job.
    expect(upload).toMatchObject({ if: 'always()', with: { sarif_file: 'policygate.sarif' } });
  });
});
