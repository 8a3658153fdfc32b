// The README's before-and-after example of `policygate fix` is executed: the manifest marked
// `<!-- fix-example: FILE -->` is written to FILE, the `console` block after it is run with the real
// binary (its report compared word for word, the exit code as the report says), and FILE must then be
// exactly the block marked `<!-- fixed: FILE -->`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../cli/run-cli.js';
import { scratchDirectories } from '../helpers/scratch.js';

const scratch = scratchDirectories('policygate-fix-readme');

describe('README: policygate fix before and after', () => {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const examples = [...text.matchAll(/<!-- fix-example: (\S+) -->\n```ya?ml\n([\s\S]*?)```\n/g)];

  it('has an example', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples.map((match) => [match[1] ?? '', match] as const))('%s: the report and the fixed file are what the README shows', async (file, match) => {
    const after = text.slice((match.index ?? 0) + match[0].length);
    const run = /^\s*```console\n\$ policygate ([^\n]*)\n([\s\S]*?)```/.exec(after);
    const fixed = new RegExp(`<!-- fixed: ${file.replace(/\./g, '\\.')} -->\\n\`\`\`ya?ml\\n([\\s\\S]*?)\`\`\`\\n`).exec(text);
    if (!run?.[1] || run[2] === undefined || fixed?.[1] === undefined) throw new Error(`README.md: ${file} needs a console block after it and a <!-- fixed: ${file} --> block`);
    const dir = await scratch();
    writeFileSync(join(dir, file), match[2] ?? '');
    const result = await runCli(run[1].split(' '), { cwd: dir });
    expect(result.stdout).toBe(run[2]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(Number(/\(exit (\d)\)/.exec(run[2])?.[1] ?? 0));
    expect(readFileSync(join(dir, file), 'utf8')).toBe(fixed[1]);
  });
});
