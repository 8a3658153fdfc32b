// A directory named on the command line that holds nothing to check is an input error: passing there
// (a build output not written yet, a typo in the path) would turn a CI job green on nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'policygate-check-dirs-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('check DIRECTORY', () => {
  it('fails with an input error when the directory holds no manifests', async () => {
    mkdirSync(join(directory, 'rendered'));
    writeFileSync(join(directory, 'rendered', 'README.md'), '# nothing rendered yet\n');
    const { code, stdout, stderr } = await runCli(['check', 'rendered'], { cwd: directory });
    expect(stdout).toBe(
      'rendered  error    no .yaml, .yml or .json files in this directory\n\n' +
        'Checked 0 resources in 0 files: 0 enforce, 0 warn, 0 audit, 1 input error.\n' +
        'Failed: 1 input error (exit 2).\n',
    );
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });

  it('is satisfied by a manifest also named on its own', async () => {
    mkdirSync(join(directory, 'apps'));
    writeFileSync(join(directory, 'apps', 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: shop}}\n');
    const { code, stdout } = await runCli(['check', 'apps/ns.yaml', 'apps'], { cwd: directory });
    expect(stdout).toBe('Checked 1 resource in 1 file: 0 enforce, 0 warn, 0 audit, 0 input errors.\nPassed: nothing at or above --fail-on enforce.\n');
    expect(code).toBe(0);
  });
});
