// The PATH arguments of `policygate check` → the manifest files to read, in a stable order: each
// argument in turn, a directory's files sorted by path. `-` is standard input.
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { InputProblem } from './parse-manifests.js';

export const STDIN_PATH = '-';
/** How standard input is named in reports. */
export const STDIN_NAME = '<stdin>';

/** The extensions a directory walk picks up; a file named on the command line is read whatever its name. */
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

export interface ManifestSource {
  /** The file as reports name it: as given, or joined onto the directory given. */
  name: string;
  text: string;
}

export interface ReadResult {
  sources: ManifestSource[];
  problems: InputProblem[];
}

function isManifestFile(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Directories and files a walk passes over unless named: `.git`, `.github`, editor files, node_modules. */
function isSkippedInWalk(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

function failure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads every manifest under `paths`. A path that cannot be read is a problem (the others are still
 * read); naming standard input twice is a usage error.
 */
export async function readSources(paths: readonly string[], io: { stdin: NodeJS.ReadableStream; cwd: string }): Promise<ReadResult> {
  if (paths.filter((path) => path === STDIN_PATH).length > 1) throw new InputError(`"${STDIN_PATH}" (standard input) can be given only once`);
  const result: ReadResult = { sources: [], problems: [] };
  const seenFiles = new Set<string>();
  const seenDirectories = new Set<string>();
  let manifestsFound = 0;

  const readFile = (name: string): void => {
    const absolute = resolve(io.cwd, name);
    if (seenFiles.has(absolute)) return;
    seenFiles.add(absolute);
    try {
      result.sources.push({ name, text: withoutBom(readFileSync(absolute, 'utf8')) });
    } catch (error) {
      result.problems.push({ file: name, line: null, column: null, message: `cannot read: ${failure(error)}` });
    }
  };

  const walk = (directory: string): void => {
    let real: string;
    let entries: string[];
    try {
      real = realpathSync(resolve(io.cwd, directory));
      entries = readdirSync(real).sort(byName);
    } catch (error) {
      result.problems.push({ file: directory, line: null, column: null, message: `cannot read the directory: ${failure(error)}` });
      return;
    }
    // A symbolic link back up the tree would walk forever.
    if (seenDirectories.has(real)) return;
    seenDirectories.add(real);
    for (const entry of entries) {
      if (isSkippedInWalk(entry)) continue;
      const name = join(directory, entry);
      let isDirectory: boolean;
      try {
        isDirectory = statSync(resolve(io.cwd, name)).isDirectory();
      } catch {
        continue; // a dangling link: nothing to check
      }
      if (isDirectory) walk(name);
      else if (isManifestFile(entry)) {
        manifestsFound++;
        readFile(name);
      }
    }
  };

  for (const path of paths) {
    if (path === STDIN_PATH) {
      result.sources.push({ name: STDIN_NAME, text: withoutBom(await readStream(io.stdin)) });
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = statSync(resolve(io.cwd, path)).isDirectory();
    } catch (error) {
      result.problems.push({ file: path, line: null, column: null, message: `cannot read: ${failure(error)}` });
      continue;
    }
    if (!isDirectory) {
      readFile(path);
      continue;
    }
    const before = manifestsFound;
    walk(path);
    // A directory named on the command line with nothing to check is almost always the wrong one (a
    // build output not written yet, a typo): passing there would turn CI green on nothing.
    if (manifestsFound === before && !result.problems.some((problem) => problem.file === path)) {
      result.problems.push({ file: path, line: null, column: null, message: 'no .yaml, .yml or .json files in this directory' });
    }
  }
  return result;
}
