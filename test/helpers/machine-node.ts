// The machine's own `node` and npm as a user runs them: tests of installing run npm on it (Node 20
// on the development machines), not on the project's Node 24 that `npm test` puts first on the PATH.
import { execFile } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The machine's `node`: the first on the PATH that is not the project's own (node_modules/.bin). */
export async function machineNode(): Promise<{ dir: string; version: string }> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir.includes('node_modules')) continue;
    const version = await run(join(dir, 'node'), ['--version']).then(
      ({ stdout }) => stdout.trim(),
      () => undefined,
    );
    if (version) return { dir, version };
  }
  throw new Error('no node on the PATH outside node_modules');
}

/** The environment of a user's shell: nothing of the `npm test` running the test (npm_* variables, node_modules/.bin). */
export function userEnv(path: string): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'PATH')),
    PATH: path,
    NO_COLOR: '1',
  };
}

/** The packages npm warned `EBADENGINE` about in its output, by name, each once, sorted. */
export function engineWarnings(npmOutput: string): string[] {
  const names = [...npmOutput.matchAll(/EBADENGINE\s+package: '((?:@[^/']+\/)?[^@']+)@/g)].map((match) => match[1] ?? '');
  return [...new Set(names)].sort();
}

/** The packages a README sentence "warns `EBADENGINE` for `a`, `b` and `c`" names, from the first such sentence after `from`. */
export function documentedEngineWarnings(readme: string, from: string): string[] {
  const start = readme.indexOf(from);
  if (start < 0) throw new Error(`README.md: no ${JSON.stringify(from)}`);
  const list = /warns\s+`EBADENGINE`\s+for\s+((?:`[^`]+`(?:,\s+|\s+and\s+)?)+)/.exec(readme.slice(start))?.[1];
  if (list === undefined) throw new Error(`README.md: no "warns \`EBADENGINE\` for ..." after ${JSON.stringify(from)}`);
  return [...list.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '').sort();
}
