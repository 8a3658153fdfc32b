// The PATH arguments of `policygate check` → what to read, in a stable order: each argument in turn, a
// directory's files sorted by path. `-` is standard input. Listing reads no manifest: the checker reads
// each file as a stream when its turn comes (check-inputs.ts).
//
// A directory walk reads the repository as it is: it passes over hidden entries and node_modules, the
// files of other tools (known-files.ts), Helm charts (templates are not YAML until rendered), the files
// a kustomization reads as patches or generator data, and what --exclude names. Those it passes over by
// name are listed as skipped, so that a report says what it did not look at.
import { createReadStream, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, matchesGlob, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import type { SkippedInput } from '../report/types.js';
import { HELM_CHART_FILE, KUSTOMIZATION_FILES, kustomizationInputs, toolOfDirectory, toolOfFile } from './known-files.js';
import type { InputProblem } from './parse-manifests.js';

export type { SkippedInput };

export const STDIN_PATH = '-';
/** How standard input is named in reports. */
export const STDIN_NAME = '<stdin>';

/** The extensions a directory walk picks up; a file named on the command line is read whatever its name. */
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** What one argument stands for, in the order it is read. */
export type InputItem =
  /** `once`: not a regular file (a pipe such as `<(helm template …)`): it can be read only once. */
  | { type: 'file'; name: string; absolute: string; walked: boolean; once: boolean }
  | { type: 'stdin' }
  /** A file an earlier argument read already: it is not read twice, but counts for this argument too. */
  | { type: 'again'; absolute: string }
  | { type: 'problem'; problem: InputProblem }
  | { type: 'skipped'; entry: SkippedInput };

/** One argument: standard input, a file, or a directory. */
export interface NamedInput {
  path: string;
  kind: 'stdin' | 'file' | 'directory';
  /** Set when a directory named is itself another tool's, e.g. `a Helm chart`. */
  tool?: string;
  /** Whether finding no object in it is an input error (true for every argument of `check`). */
  requireObjects: boolean;
  items: InputItem[];
}

export interface ListOptions {
  cwd: string;
  /** --exclude: globs a directory walk passes over. */
  exclude?: readonly string[];
}

function isManifestFile(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Directories and files a walk passes over unless named: `.git`, `.github`, editor files, node_modules. */
function isHiddenInWalk(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** What a failed read says to a user. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const slashed = (path: string) => (sep === '/' ? path : path.split(sep).join('/'));

/**
 * Whether --exclude names a path of a walk: a GLOB with a `/` is matched against the path as reports
 * show it and against the path inside the directory named; one without, against the name at any depth.
 */
function excludedBy(globs: readonly string[], name: string, directoryNamed: string): boolean {
  if (globs.length === 0) return false;
  const shown = slashed(name);
  const inside = slashed(relative(directoryNamed, name));
  const base = basename(name);
  return globs.some((glob) => (glob.includes('/') ? matchesGlob(shown, glob) || matchesGlob(inside, glob) : matchesGlob(base, glob)));
}

interface WalkedFile {
  name: string;
  absolute: string;
}

function isHelmChart(directory: string): boolean {
  try {
    return statSync(join(directory, HELM_CHART_FILE)).isFile();
  } catch {
    return false;
  }
}

/** Why a chart is passed over, and how to check it instead. */
export function helmChartReason(directory: string): string {
  return `a Helm chart: check what it renders (helm template RELEASE ${slashed(directory)} | policygate check -)`;
}

/**
 * What each of `paths` stands for. A path that cannot be listed is a problem item (the others are still
 * listed); naming standard input twice is a usage error.
 */
export function listInputs(paths: readonly string[], options: ListOptions): NamedInput[] {
  if (paths.filter((path) => path === STDIN_PATH).length > 1) throw new InputError(`"${STDIN_PATH}" (standard input) can be given only once`);
  const exclude = options.exclude ?? [];
  const inputs: NamedInput[] = [];
  const listedFiles = new Set<string>();
  const seenDirectories = new Set<string>();

  const problem = (input: NamedInput, file: string, message: string) => input.items.push({ type: 'problem', problem: { file, line: null, column: null, message } });
  const skip = (input: NamedInput, file: string, reason: string) => input.items.push({ type: 'skipped', entry: { file, line: null, reason } });
  const addFile = (input: NamedInput, name: string, absolute: string, walked: boolean, once = false) => {
    if (listedFiles.has(absolute)) input.items.push({ type: 'again', absolute });
    else {
      listedFiles.add(absolute);
      input.items.push({ type: 'file', name, absolute, walked, once });
    }
  };

  /** Lists the files under `directory` in sorted order, passing over what a walk does not read. */
  const walk = (input: NamedInput, directory: string, files: WalkedFile[]): void => {
    let real: string;
    let entries: string[];
    try {
      real = realpathSync(resolve(options.cwd, directory));
      entries = readdirSync(real).sort(byName);
    } catch (error) {
      problem(input, directory, `cannot read the directory: ${readFailure(error)}`);
      return;
    }
    // A symbolic link back up the tree would walk forever.
    if (seenDirectories.has(real)) return;
    seenDirectories.add(real);
    if (entries.includes(HELM_CHART_FILE)) {
      skip(input, directory, helmChartReason(directory));
      return;
    }
    for (const entry of entries) {
      if (isHiddenInWalk(entry)) continue;
      const name = join(directory, entry);
      if (excludedBy(exclude, name, input.path)) continue;
      const absolute = resolve(options.cwd, name);
      let isDirectory: boolean;
      try {
        isDirectory = statSync(absolute).isDirectory();
      } catch {
        continue; // a dangling link: nothing to check
      }
      if (isDirectory) {
        const tool = toolOfDirectory(entry);
        if (tool === undefined) walk(input, name, files);
        else skip(input, name, `${tool} files`);
      } else if (isManifestFile(entry) || KUSTOMIZATION_FILES.includes(entry)) {
        files.push({ name, absolute });
      }
    }
  };

  /** The files the kustomizations among `files` read as patches or generator data, with the reason to skip them. */
  const kustomizeInputs = (files: readonly WalkedFile[]): Map<string, string> => {
    const found = new Map<string, string>();
    for (const file of files) {
      if (!KUSTOMIZATION_FILES.includes(basename(file.name))) continue;
      let text: string;
      try {
        text = readFileSync(file.absolute, 'utf8');
      } catch {
        continue; // a kustomization is skipped, never read as a manifest: nothing to report
      }
      for (const { path, field } of kustomizationInputs(text)) found.set(resolve(file.absolute, '..', path), `kustomize ${field} input of ${slashed(file.name)}`);
    }
    return found;
  };

  for (const path of paths) {
    if (path === STDIN_PATH) {
      inputs.push({ path, kind: 'stdin', requireObjects: true, items: [{ type: 'stdin' }] });
      continue;
    }
    const absolute = resolve(options.cwd, path);
    let isDirectory: boolean;
    let isRegular: boolean;
    try {
      const stats = statSync(absolute);
      isDirectory = stats.isDirectory();
      isRegular = stats.isFile();
    } catch (error) {
      const input: NamedInput = { path, kind: 'file', requireObjects: true, items: [] };
      problem(input, path, `cannot read: ${readFailure(error)}`);
      inputs.push(input);
      continue;
    }
    const input: NamedInput = { path, kind: isDirectory ? 'directory' : 'file', requireObjects: true, items: [] };
    inputs.push(input);
    if (!isDirectory) {
      addFile(input, path, absolute, false, !isRegular);
      continue;
    }
    if (isHelmChart(absolute)) {
      input.tool = 'a Helm chart';
      continue;
    }
    const files: WalkedFile[] = [];
    walk(input, path, files);
    const kustomize = kustomizeInputs(files);
    for (const file of files) {
      const tool = toolOfFile(basename(file.name));
      const reason = tool !== undefined ? `${tool} file` : kustomize.get(file.absolute);
      if (reason !== undefined) skip(input, file.name, reason);
      else if (isManifestFile(file.name)) addFile(input, file.name, file.absolute, true);
    }
  }
  return inputs;
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A file's or standard input's text in pieces, as it is read; the byte-order mark of its start removed. */
export async function* readPieces(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  let first = true;
  for await (const piece of stream) {
    const text = typeof piece === 'string' ? piece : (piece as Buffer).toString('utf8');
    yield first ? withoutBom(text) : text;
    first = false;
  }
}

/** A file read in 64 KiB pieces, decoded as UTF-8 (a character split between pieces is kept whole). */
export function filePieces(absolute: string): AsyncGenerator<string> {
  return readPieces(createReadStream(absolute, { encoding: 'utf8', highWaterMark: 1 << 16 }));
}

/** Standard input in pieces, decoded as UTF-8. */
export function stdinPieces(stdin: NodeJS.ReadableStream): AsyncGenerator<string> {
  if ('setEncoding' in stdin && typeof stdin.setEncoding === 'function') stdin.setEncoding('utf8');
  return readPieces(stdin);
}

/** A stream's whole text, byte-order mark included (`fix` writes it back as it was). */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  if ('setEncoding' in stream && typeof stream.setEncoding === 'function') stream.setEncoding('utf8');
  let text = '';
  for await (const piece of stream) text += typeof piece === 'string' ? piece : (piece as Buffer).toString('utf8');
  return text;
}

/** A file's whole text, for the commands that read one small file (`review`). */
export interface ManifestSource {
  /** The file as reports name it: as given, or joined onto the directory given. */
  name: string;
  text: string;
  /** Found by a directory walk, rather than named: documents that are not objects at all are skipped, not errors. */
  walked?: boolean;
}

export interface ReadResult {
  sources: ManifestSource[];
  problems: InputProblem[];
}

/** Lists `paths` and reads every file whole: for small inputs (`review`'s review and its --namespaces). */
export async function readSources(paths: readonly string[], io: { stdin: NodeJS.ReadableStream; cwd: string }): Promise<ReadResult> {
  const result: ReadResult = { sources: [], problems: [] };
  for (const input of listInputs(paths, { cwd: io.cwd })) {
    for (const item of input.items) {
      if (item.type === 'problem') result.problems.push(item.problem);
      else if (item.type === 'stdin') result.sources.push({ name: STDIN_NAME, text: withoutBom(await readStream(io.stdin)) });
      else if (item.type === 'file') {
        try {
          result.sources.push({ name: item.name, text: withoutBom(readFileSync(item.absolute, 'utf8')), walked: item.walked });
        } catch (error) {
          result.problems.push({ file: item.name, line: null, column: null, message: `cannot read: ${readFailure(error)}` });
        }
      }
    }
  }
  return result;
}
