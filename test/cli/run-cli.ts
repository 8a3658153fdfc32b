// Runs the real CLI as CI does: the compiled bin on the project's Node 24, in a child process, so that
// stdout, stderr and the exit code are exactly what a user sees. `npm test` builds dist/ first.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const NODE = resolve(ROOT, 'node_modules/.bin/node');
const BIN = resolve(ROOT, 'bin/policygate.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  stdin?: string;
  env?: Record<string, string>;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    // A clean environment: no colour settings leak in from the terminal running the tests.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env };
    const child = spawn(NODE, [BIN, ...args], { cwd: options.cwd ?? FIXTURES, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
    child.stdin.end(options.stdin ?? '');
  });
}
