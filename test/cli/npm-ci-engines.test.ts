// `npm ci` on the machine's Node 20 warns `EBADENGINE` for the few dependencies whose `engines` ask
// for Node 22 or newer: they only ever run on the project's own Node 24, and the README says so in the
// paragraph under its two commands. This keeps that sentence true: npm is run as a user runs it
// (its dry run checks the engines as the install does, without installing), and the packages it warns
// about are exactly the ones the README names.
import { execFile } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { documentedEngineWarnings, engineWarnings, machineNode, userEnv } from '../helpers/machine-node.js';
import { scratchDirectories } from '../helpers/scratch.js';
import { ROOT } from './run-cli.js';

const run = promisify(execFile);
const scratch = scratchDirectories('policygate-npm-ci');

it('npm ci on the machine’s node warns EBADENGINE only for the packages the README explains', async () => {
  const machine = await machineNode();
  const copy = await scratch();
  await copyFile(join(ROOT, 'package.json'), join(copy, 'package.json'));
  await copyFile(join(ROOT, 'package-lock.json'), join(copy, 'package-lock.json'));
  const { stdout, stderr } = await run('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: copy,
    env: userEnv([machine.dir, '/usr/bin', '/bin'].join(delimiter)),
    timeout: 300_000,
  });
  const warned = engineWarnings(`${stdout}\n${stderr}`);
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const documented = documentedEngineWarnings(readme, 'npm ci && npm test');
  // On a machine whose node is 22 or newer npm warns about nothing, and the sentence is about older ones.
  if (Number(machine.version.slice(1).split('.')[0]) < 22) expect(warned).toEqual(documented);
  else expect(warned).toEqual([]);
  expect(readme.slice(readme.indexOf('npm ci && npm test'), readme.indexOf('## Installing'))).toMatch(/harmless/);
}, 300_000);
