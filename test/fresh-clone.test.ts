// A user's clone has nothing beside it: no file of the project may reach outside the checkout for
// something it needs (the Pod Security corpus once came from ../shared, and a fresh clone failed).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);

it('no tracked file reads ../shared, beside the checkout', async () => {
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const files = stdout.split('\0').filter((file) => /\.(?:[cm]?[jt]s|json|ya?ml|sh)$|^Dockerfile$/.test(file) && !file.startsWith('test/conformance/') && file !== 'test/fresh-clone.test.ts');
  const outside: string[] = [];
  for (const file of files) {
    const text = await readFile(join(ROOT, file), 'utf8').catch(() => '');
    // A path to shared/ that climbs above the checkout's root from where the file is ('../../shared'
    // from test/), or one joined from parts ('..', 'shared').
    const depth = file.split('/').length - 1;
    for (const match of text.matchAll(/(?:\.\.\/)+shared\b/g)) if (match[0].split('../').length - 1 > depth) outside.push(`${file}: ${match[0]}`);
    for (const match of text.matchAll(/['"]\.\.['"],\s*['"]shared['"]/g)) outside.push(`${file}: ${match[0]}`);
  }
  expect(files.length).toBeGreaterThan(100);
  expect(outside).toEqual([]);
});
