import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { writeCertificates } from './certificates.js';
import { fileSystemError, writeFileAtomically } from './files.js';
import { scratchDirectories } from '../../test/helpers/scratch.js';

const scratch = scratchDirectories('policygate-files');

const errno = (code: string) => Object.assign(new Error(`${code}: some detail`), { code });

describe('fileSystemError', () => {
  it.each([
    ['ENOENT', 'no such file or directory'],
    ['EEXIST', 'it exists and is not a directory'],
    ['ENOTDIR', 'part of the path is a file, not a directory'],
    ['EISDIR', 'it is a directory'],
    ['EACCES', 'permission denied'],
    ['EPERM', 'operation not permitted'],
    ['EROFS', 'read-only file system'],
    ['ENOSPC', 'no space left on device'],
  ])('turns %s into an InputError naming the path and the cause', (code, cause) => {
    const error = fileSystemError(errno(code), 'write', '/x/tls.crt');
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(`cannot write /x/tls.crt: ${cause} (${code})`);
  });

  it('leaves anything else as it is: a bug', () => {
    const other = errno('EIO');
    expect(fileSystemError(other, 'write', '/x')).toBe(other);
    const plain = new TypeError('no');
    expect(fileSystemError(plain, 'write', '/x')).toBe(plain);
    expect(fileSystemError(undefined, 'write', '/x')).toBeUndefined();
  });
});

describe('writing certificates where it cannot be done', () => {
  it('writeCertificates: a file where the directory should be is an InputError naming it', async () => {
    const dir = join(await scratch(), 'afile');
    await writeFile(dir, '');
    await expect(writeCertificates({ dir, dnsNames: ['localhost'] })).rejects.toThrow(new InputError(`cannot create directory ${dir}: it exists and is not a directory (EEXIST)`));
  });

  it('writeFileAtomically: an InputError naming the file, and no temporary file left', async () => {
    const dir = await scratch();
    await expect(writeFileAtomically(join(dir, 'afile', 'tls.crt'), 'x', 0o644)).rejects.toThrow(`cannot write ${join(dir, 'afile', 'tls.crt')}: no such file or directory (ENOENT)`);
    await writeFile(join(dir, 'afile'), '');
    await expect(writeFileAtomically(join(dir, 'afile', 'tls.crt'), 'x', 0o644)).rejects.toThrow(`cannot write ${join(dir, 'afile', 'tls.crt')}: part of the path is a file, not a directory (ENOTDIR)`);
    expect(await readdir(dir)).toEqual(['afile']);
  });
});
