// Where CI reports say a file is. GitHub annotations, code scanning (SARIF), JUnit viewers and scripts
// reading the JSON map a path onto the repository, so the machine formats name files relative to the
// repository's root (the git work tree's top when the run is inside one, else the working directory),
// with `/` between names, wherever the command was run from and however the file was named. The text
// report keeps the names as given: a terminal resolves them from where the user is.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { STDIN_NAME } from '../manifests/read-sources.js';

/** The git work tree's top above `cwd` (a `.git` directory, or the `.git` file of a worktree), else `cwd`. */
export function findReportRoot(cwd: string): string {
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    if (existsSync(join(directory, '.git'))) return directory;
    if (dirname(directory) === directory) return resolve(cwd);
  }
}

export interface ReportPath {
  /** Relative to the root with `/` separators; standard input as `<stdin>`; a file outside the root as its absolute path. */
  path: string;
  /** False for standard input and for a file outside the root, which no repository path names. */
  inRoot: boolean;
}

const slashed = (path: string) => (sep === '/' ? path : path.split(sep).join('/'));

/** How the machine formats name the files of one report, computed once per file. */
export function reportPaths(cwd: string, root: string): (file: string) => ReportPath {
  const known = new Map<string, ReportPath>();
  return (file) => {
    let found = known.get(file);
    if (found === undefined) {
      found = locate(file, cwd, root);
      known.set(file, found);
    }
    return found;
  };
}

function locate(file: string, cwd: string, root: string): ReportPath {
  if (file === STDIN_NAME) return { path: STDIN_NAME, inRoot: false };
  const absolute = resolve(cwd, file);
  const inside = relative(root, absolute);
  if (inside === '') return { path: '.', inRoot: true };
  if (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside)) return { path: slashed(inside), inRoot: true };
  return { path: slashed(absolute), inRoot: false };
}
