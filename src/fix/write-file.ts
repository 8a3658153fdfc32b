// Writing a fixed manifest back: atomically (a reader, or a crash, sees the old file or the new one,
// never half of one), through a symbolic link to the file it points at, with the file's mode kept.
import { closeSync, fsyncSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const BOM = '\uFEFF';

/** Whether the file starts with a UTF-8 byte-order mark (the readers drop it; the writer puts it back). */
export function startsWithByteOrderMark(path: string): boolean {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(path, 'r');
    const head = Buffer.alloc(3);
    return readSync(descriptor, head, 0, 3, 0) === 3 && head.equals(Buffer.from([0xef, 0xbb, 0xbf]));
  } catch {
    return false;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** Replaces the file at `path` with `text` (a byte-order mark first when `bom`). Throws what the file system says. */
export function writeFileAtomically(path: string, text: string, bom: boolean): void {
  const target = realpathSync(path);
  const { mode } = statSync(target);
  const temporary = join(dirname(target), `.${basename(target)}.policygate-${randomBytes(6).toString('hex')}`);
  const descriptor = openSync(temporary, 'wx', mode & 0o7777);
  try {
    try {
      writeSync(descriptor, bom ? BOM + text : text);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, target);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
    throw error;
  }
}
