// Number flags take decimal digits only: "" is not port 0, and "1e3" or "0x10" are not numbers a user
// meant. Each is refused in one line on stderr, exit 2, before the command does anything.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { scratchDirectories } from '../helpers/scratch.js';

const scratch = scratchDirectories('policygate-number-flags');

describe('number flags', () => {
  it.each([
    [['certs', '--out', 'out', '--days', '1e3'], 'policygate certs: --days must be a whole number from 1 to 36500 (got "1e3")'],
    [['certs', '--out', 'out', '--days', '0x10'], 'policygate certs: --days must be a whole number from 1 to 36500 (got "0x10")'],
    [['certs', '--out', 'out', '--days', ''], 'policygate certs: --days must be a whole number from 1 to 36500 (got "")'],
    [['certs', '--out', 'out', '--days', '0'], 'policygate certs: --days must be a whole number from 1 to 36500 (got "0")'],
    [['certs', '--out', 'out', '--days', '100000000'], 'policygate certs: --days must be a whole number from 1 to 36500 (got "100000000")'],
    [['serve', '--port', '', '--dev', '--no-cluster'], 'policygate serve: --port must be a port number 0-65535 (got "")'],
    [['serve', '--port', '8e3', '--dev', '--no-cluster'], 'policygate serve: --port must be a port number 0-65535 (got "8e3")'],
    [['serve', '--port', '65536', '--dev', '--no-cluster'], 'policygate serve: --port must be a port number 0-65535 (got "65536")'],
    [['audit', '--max-objects', '0x10'], 'policygate audit: --max-objects must be a whole number (got "0x10")'],
    [['audit', '--max-objects=-1'], 'policygate audit: --max-objects must be a whole number (got "-1")'],
    [['audit', '--page-size', '1e3'], 'policygate audit: --page-size must be a whole number of at least 1 (got "1e3")'],
    [['audit', '--page-size', '0'], 'policygate audit: --page-size must be a whole number of at least 1 (got "0")'],
  ])('%j is refused, and nothing is written', async (args, message) => {
    const cwd = await scratch();
    const result = await runCli(args, { cwd });
    expect(result.stderr).toBe(`${message}\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
    // Neither certs' --out nor serve --dev's ./certs was made.
    expect(await readdir(cwd)).toEqual([]);
    // serve loads fastify and client-node before it parses: seconds on a loaded machine.
  }, 120_000);
});
