// The PATH arguments of `policygate check` → the manifest files to read, in a stable order: each
// argument in turn, a directory's files sorted by path. `-` is standard input.
//
// A directory walk reads the repository as it is: it passes over hidden entries and node_modules, the
// files of other tools (known-files.ts), Helm charts (templates are not YAML until rendered), the files
// a kustomization reads as patches or generator data, and what --exclude names. Those it passes over by
// name are listed as skipped, so that a report says what it did not look at.
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, matchesGlob, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { HELM_CHART_FILE, KUSTOMIZATION_FILES, kustomizationInputs, toolOfDirectory, toolOfFile } from './known-files.js';
import type { SkippedInput } from '../report/types.js';
import type { InputProblem } from './parse-manifests.js';

export type { SkippedInput };

export const STDIN_PATH = '-';
/** How standard input is named in reports. */
export const STDIN_NAME = '<stdin>';

/** The extensions a directory walk picks up; a file named on the command line is read whatever its name. */
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** One argument: standard input, a file, or a directory. */
export interface NamedInput {
  path: string;
  kind: 'stdin' | 'file' | 'directory';
  /** Problems met while reading it (files that cannot be read): with them, finding nothing is no surprise. */
  readProblems: number;
  /** Files and directories under it that the walk passed over. */
  skipped: number;
  /** Set when a directory named is itself another tool's, e.g. `a Helm chart`. */
  tool?: string;
}

export interface ManifestSource {
  /** The file as reports name it: as given, or joined onto the directory given. */
  name: string;
  text: string;
  /** The arguments it came from (a file also found by a walk is read once): indexes into ReadResult.inputs. */
  inputs?: number[];
  /** Found by a directory walk, rather than named: documents that are not objects at all are skipped, not errors. */
  walked?: boolean;
}

export interface ReadResult {
  inputs: NamedInput[];
  sources: ManifestSource[];
  problems: InputProblem[];
  skipped: SkippedInput[];
}

export interface ReadOptions {
  stdin: NodeJS.ReadableStream;
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

/**
 * Reads every manifest under `paths`. A path that cannot be read is a problem (the others are still
 * read); naming standard input twice is a usage error.
 */
export async function readSources(paths: readonly string[], io: ReadOptions): Promise<ReadResult> {
  if (paths.filter((path) => path === STDIN_PATH).length > 1) throw new InputError(`"${STDIN_PATH}" (standard input) can be given only once`);
  const exclude = io.exclude ?? [];
  const result: ReadResult = { inputs: [], sources: [], problems: [], skipped: [] };
  const seenFiles = new Map<string, ManifestSource>();
  const seenDirectories = new Set<string>();

  const problem = (input: NamedInput, file: string, message: string) => {
    result.problems.push({ file, line: null, column: null, message });
    input.readProblems++;
  };

  const readFile = (input: NamedInput, inputIndex: number, name: string, absolute: string, walked: boolean): void => {
    const seen = seenFiles.get(absolute);
    if (seen) {
      if (!seen.inputs?.includes(inputIndex)) seen.inputs?.push(inputIndex);
      return;
    }
    try {
      const source: ManifestSource = { name, text: withoutBom(readFileSync(absolute, 'utf8')), inputs: [inputIndex], walked };
      seenFiles.set(absolute, source);
      result.sources.push(source);
    } catch (error) {
      problem(input, name, `cannot read: ${failure(error)}`);
    }
  };

  /** Lists the files under `directory` in sorted order, passing over what a walk does not read. */
  const walk = (input: NamedInput, directory: string, files: WalkedFile[]): void => {
    let real: string;
    let entries: string[];
    try {
      real = realpathSync(resolve(io.cwd, directory));
      entries = readdirSync(real).sort(byName);
    } catch (error) {
      problem(input, directory, `cannot read the directory: ${failure(error)}`);
      return;
    }
    // A symbolic link back up the tree would walk forever.
    if (seenDirectories.has(real)) return;
    seenDirectories.add(real);
    if (entries.includes(HELM_CHART_FILE)) {
      result.skipped.push({ file: directory, line: null, reason: helmChartReason(directory) });
      input.skipped++;
      return;
    }
    for (const entry of entries) {
      if (isHiddenInWalk(entry)) continue;
      const name = join(directory, entry);
      if (excludedBy(exclude, name, input.path)) continue;
      const absolute = resolve(io.cwd, name);
      let isDirectory: boolean;
      try {
        isDirectory = statSync(absolute).isDirectory();
      } catch {
        continue; // a dangling link: nothing to check
      }
      if (isDirectory) {
        const tool = toolOfDirectory(entry);
        if (tool === undefined) walk(input, name, files);
        else {
          result.skipped.push({ file: name, line: null, reason: `${tool} files` });
          input.skipped++;
        }
      } else if (isManifestFile(entry) || KUSTOMIZATION_FILES.includes(entry)) {
        files.push({ name, absolute });
      }
    }
  };

  /** The files the kustomizations among `files` read as patches or generator data, with the reason to skip them. */
  const kustomizeInputs = (files: readonly WalkedFile[]): Map<string, string> => {
    const inputs = new Map<string, string>();
    for (const file of files) {
      if (!KUSTOMIZATION_FILES.includes(basename(file.name))) continue;
      let text: string;
      try {
        text = readFileSync(file.absolute, 'utf8');
      } catch {
        continue; // reported when the walk reads it
      }
      for (const { path, field } of kustomizationInputs(text)) {
        inputs.set(resolve(file.absolute, '..', path), `kustomize ${field} input of ${slashed(file.name)}`);
      }
    }
    return inputs;
  };

  for (const path of paths) {
    const inputIndex = result.inputs.length;
    if (path === STDIN_PATH) {
      const input: NamedInput = { path, kind: 'stdin', readProblems: 0, skipped: 0 };
      result.inputs.push(input);
      result.sources.push({ name: STDIN_NAME, text: withoutBom(await readStream(io.stdin)), inputs: [inputIndex], walked: false });
      continue;
    }
    let isDirectory: boolean;
    const absolute = resolve(io.cwd, path);
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch (error) {
      const input: NamedInput = { path, kind: 'file', readProblems: 0, skipped: 0 };
      result.inputs.push(input);
      problem(input, path, `cannot read: ${failure(error)}`);
      continue;
    }
    const input: NamedInput = { path, kind: isDirectory ? 'directory' : 'file', readProblems: 0, skipped: 0 };
    result.inputs.push(input);
    if (!isDirectory) {
      readFile(input, inputIndex, path, absolute, false);
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
      const kustomizeInput = kustomize.get(file.absolute);
      const reason = tool !== undefined ? `${tool} file` : kustomizeInput;
      if (reason !== undefined) {
        result.skipped.push({ file: file.name, line: null, reason });
        input.skipped++;
      } else if (isManifestFile(file.name)) readFile(input, inputIndex, file.name, file.absolute, true);
    }
  }
  return result;
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
