// `check --output-file FILE`: one run writes the terminal report on standard output and a machine
// report for CI into a file, so CI needs one pass, not two. The file's format is `--output-file-format`
// or, without it, told by the file's name. Files are opened before the run (a path that cannot be
// written fails at once) and written as the run goes.
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { FORMATS, type Format } from '../report/index.js';
import { oneOf } from './parse-args.js';

/** File name endings and the format they stand for, longest first. */
const FORMAT_OF_ENDING: readonly (readonly [string, Format])[] = [
  ['.sarif.json', 'sarif'],
  ['.sarif', 'sarif'],
  ['.junit.xml', 'junit'],
  ['.xml', 'junit'],
  ['.json', 'json'],
  ['.txt', 'text'],
  ['.log', 'text'],
];

export interface OutputFile {
  path: string;
  format: Format;
  stream: WriteStream;
}

function formatOfName(path: string): Format | undefined {
  const lower = path.toLowerCase();
  return FORMAT_OF_ENDING.find(([ending]) => lower.endsWith(ending))?.[1];
}

function cannotWrite(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const why = code === 'ENOENT' ? 'its directory does not exist' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : error instanceof Error ? error.message : String(error);
  return new InputError(`--output-file ${path}: cannot write: ${why}`);
}

/** The --output-file targets, each with its format, opened for writing. */
export function openOutputFiles(paths: readonly string[], formatFlag: string | undefined, cwd: string): OutputFile[] {
  if (formatFlag !== undefined && paths.length !== 1) {
    throw new InputError(
      paths.length === 0 ? '--output-file-format needs --output-file FILE' : '--output-file-format applies to one --output-file; with several, each file name tells its format',
    );
  }
  const seen = new Set<string>();
  const targets = paths.map((path) => {
    const format = formatFlag !== undefined ? oneOf('output-file-format', formatFlag, FORMATS, 'text') : formatOfName(path);
    if (format === undefined) {
      throw new InputError(`--output-file ${path}: cannot tell the format from the name (.sarif, .json, .xml, .txt); add --output-file-format FORMAT`);
    }
    const absolute = resolve(cwd, path);
    if (seen.has(absolute)) throw new InputError(`--output-file ${path} is given twice`);
    seen.add(absolute);
    return { path, absolute, format };
  });
  const descriptors: number[] = [];
  try {
    for (const { path, absolute } of targets) {
      try {
        descriptors.push(openSync(absolute, 'w'));
      } catch (error) {
        throw cannotWrite(path, error);
      }
    }
  } catch (error) {
    for (const fd of descriptors) closeSync(fd);
    throw error;
  }
  return targets.map(({ path, format }, index) => ({ path, format, stream: createWriteStream('', { fd: descriptors[index] }) }));
}

/** Ends a file's stream once everything is written; a write that failed is the user's to fix. */
export function closeOutputFile(file: OutputFile): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    file.stream.once('error', (error) => reject(cannotWrite(file.path, error)));
    file.stream.end(() => resolvePromise());
  });
}
