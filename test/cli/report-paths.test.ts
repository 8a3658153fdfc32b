// CI reports that map onto the repository: github, sarif, junit and json name files from the git work
// tree's top (else the working directory), with `/` between names, wherever `check` runs and however
// the files were named; never `../` or a file:// URI. The text report keeps the names as given.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDirectories } from '../helpers/scratch.js';
import { runCli } from './run-cli.js';

const scratch = scratchDirectories('policygate-report-paths');
const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n';

/** A repository (a `.git` directory, or the `.git` file of a worktree) with manifests in two folders, and a file outside it. */
async function repository(gitEntry: 'directory' | 'file') {
  const root = await scratch();
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'deploy', 'base'), { recursive: true });
  mkdirSync(join(repo, 'apps'), { recursive: true });
  if (gitEntry === 'directory') mkdirSync(join(repo, '.git'));
  else writeFileSync(join(repo, '.git'), 'gitdir: /elsewhere/.git/worktrees/repo\n');
  writeFileSync(join(repo, 'deploy', 'base', 'pod.yaml'), POD);
  writeFileSync(join(repo, 'apps', 'broken.yaml'), `${POD}---\nkind: [\n`);
  writeFileSync(join(root, 'outside.yaml'), POD);
  return { root, repo };
}

describe('paths in CI reports', () => {
  it.each(['directory', 'file'] as const)('are relative to the git work tree top (.git %s), from a subdirectory and through ../', async (gitEntry) => {
    const { root, repo } = await repository(gitEntry);
    const cwd = join(repo, 'deploy');
    const args = ['base/pod.yaml', '../apps/broken.yaml', join(root, 'outside.yaml')];

    const json = JSON.parse((await runCli(['check', '-o', 'json', ...args], { cwd })).stdout) as { results: { file: string }[]; errors: unknown[] };
    expect([...new Set(json.results.map((result) => result.file))]).toEqual(['deploy/base/pod.yaml', 'apps/broken.yaml', join(root, 'outside.yaml')]);
    // Input errors carry their column.
    expect(json.errors).toEqual([{ file: 'apps/broken.yaml', line: 9, column: 1, message: expect.stringMatching(/^invalid YAML: /) }]);

    const github = (await runCli(['check', '-o', 'github', ...args], { cwd })).stdout;
    expect(github).toContain('::error file=deploy/base/pod.yaml,line=5,col=3,title=pod-security/hostNamespaces (enforce%2C audit)::Pod shop/p: spec.hostPID: host namespaces (hostPID=true)');
    expect(github).toContain('::error file=apps/broken.yaml,line=9,col=1,title=policygate%3A input error::invalid YAML: ');

    const junit = (await runCli(['check', '-o', 'junit', ...args], { cwd })).stdout;
    expect(junit).toContain('<testsuite name="deploy/base/pod.yaml" ');
    expect(junit).toContain('<testcase name="Pod shop/p" classname="apps/broken.yaml" file="apps/broken.yaml" line="1">');

    type Location = { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } };
    type Log = { runs: { originalUriBaseIds: unknown; results: { locations: Location[] }[]; invocations: { executionSuccessful: boolean; toolExecutionNotifications: { locations: Location[] }[] }[] }[] };
    const [run] = (JSON.parse((await runCli(['check', '-o', 'sarif', ...args], { cwd })).stdout) as Log).runs;
    expect(run?.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `file://${repo}/` } });
    expect([...new Set(run?.results.map((result) => JSON.stringify(result.locations[0]?.physicalLocation.artifactLocation)))].map((text) => JSON.parse(text) as unknown)).toEqual([
      { uri: 'deploy/base/pod.yaml', uriBaseId: '%SRCROOT%' },
      { uri: 'apps/broken.yaml', uriBaseId: '%SRCROOT%' },
      // Outside the repository no repository path names it: its own path, never file:// or ../.
      { uri: join(root, 'outside.yaml') },
    ]);
    expect(run?.invocations[0]?.executionSuccessful).toBe(false);
    expect(run?.invocations[0]?.toolExecutionNotifications[0]?.locations[0]?.physicalLocation.artifactLocation).toEqual({ uri: 'apps/broken.yaml', uriBaseId: '%SRCROOT%' });

    // The text report names files as given, for the terminal they are typed in.
    const text = (await runCli(['check', ...args], { cwd })).stdout;
    expect(text).toMatch(/^base\/pod\.yaml:5:3 {2}enforce /m);
    expect(text).toMatch(/^\.\.\/apps\/broken\.yaml:9:1 {2}error /m);
  });

  it('are relative to the working directory outside a git work tree', async () => {
    const { root } = await repository('directory');
    const json = JSON.parse((await runCli(['check', '-o', 'json', './outside.yaml'], { cwd: root })).stdout) as { results: { file: string }[] };
    expect(json.results[0]?.file).toBe('outside.yaml');
  });
});
