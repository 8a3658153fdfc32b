// A directory named on the command line that holds nothing to check is an input error: passing there
// (a build output not written yet, a typo in the path) would turn a CI job green on nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './run-cli.js';

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

/** Writes `files` (path → text) under a fresh directory. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'policygate-check-tree-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const trees: string[] = [];
afterAll(() => {
  for (const root of trees) rmSync(root, { recursive: true, force: true });
});

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: shop}}\n';
const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {a: b}\n';

describe('check DIRECTORY: the files of other tools are passed over', () => {
  const repository = {
    'deploy/base/kustomization.yaml': 'resources: [namespace.yaml, config-map.yaml]\nconfigMapGenerator:\n  - name: app\n    files: [settings=app-config.yaml]\n',
    'deploy/base/namespace.yaml': NAMESPACE,
    'deploy/base/config-map.yaml': CONFIG_MAP,
    'deploy/base/app-config.yaml': 'listen: 8080\nkind-of-thing: yes\n',
    'deploy/overlays/prod/kustomization.yaml': 'resources: [../../base]\npatches:\n  - path: replicas.yaml\n',
    // A JSON 6902 patch: a list.
    'deploy/overlays/prod/replicas.yaml': '- op: replace\n  path: /spec/replicas\n  value: 3\n',
    // A Helm chart: its templates are not YAML until rendered.
    'charts/shop/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
    'charts/shop/values.yaml': 'replicas: 1\n',
    'charts/shop/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n',
    'environments/values-prod.yaml': 'replicas: 3\nimage: {tag: "1.2"}\n',
    'docker-compose.yml': 'services:\n  web: {image: nginx}\n',
    'skaffold.yaml': 'apiVersion: skaffold/v4beta6\nkind: Config\n',
    'helmfile.yaml': 'releases:\n{{ range .Values.releases }}\n  - name: {{ .name }}\n{{ end }}\n',
    '.github/workflows/ci.yaml': 'on: push\njobs: {}\n',
  };

  it('checks the manifests, lists what it skipped and why, and passes', async () => {
    const { code, stdout, stderr } = await runCli(['check', '.'], { cwd: tree(repository) });
    expect(stdout).toBe(
      [
        'Skipped, not Kubernetes objects:',
        '  charts/shop  a Helm chart: check what it renders (helm template RELEASE charts/shop | policygate check -)',
        '  deploy/base/app-config.yaml  kustomize configMapGenerator input of deploy/base/kustomization.yaml',
        '  deploy/base/kustomization.yaml  kustomize file',
        '  deploy/overlays/prod/kustomization.yaml  kustomize file',
        '  deploy/overlays/prod/replicas.yaml  kustomize patches input of deploy/overlays/prod/kustomization.yaml',
        '  docker-compose.yml  Docker Compose file',
        '  environments/values-prod.yaml:1  neither apiVersion nor kind: not a Kubernetes object',
        '  helmfile.yaml  helmfile file',
        '  skaffold.yaml  Skaffold file',
        'Checked 2 resources in 3 files: 0 enforce, 0 warn, 0 audit, 0 input errors, 9 skipped.',
        'Passed: nothing at or above --fail-on enforce.',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('lists them in the JSON report too', async () => {
    const { stdout } = await runCli(['check', '--format', 'json', 'environments', 'deploy/overlays'], { cwd: tree(repository) });
    const report = JSON.parse(stdout) as { skipped: unknown[]; errors: unknown[]; summary: { skipped: number } };
    // In the order of the arguments and of the walk.
    expect(report.skipped).toEqual([
      { file: 'environments/values-prod.yaml', line: 1, reason: 'neither apiVersion nor kind: not a Kubernetes object' },
      { file: 'deploy/overlays/prod/kustomization.yaml', line: null, reason: 'kustomize file' },
      { file: 'deploy/overlays/prod/replicas.yaml', line: null, reason: 'kustomize patches input of deploy/overlays/prod/kustomization.yaml' },
    ]);
    expect(report.summary.skipped).toBe(3);
    // Neither directory holds a Kubernetes object: each is an input error, not a silent pass.
    expect(report.errors).toEqual([
      { file: 'environments', line: null, column: null, message: 'no Kubernetes objects in this directory (1 file or document skipped, listed in the summary)' },
      { file: 'deploy/overlays', line: null, column: null, message: 'no Kubernetes objects in this directory (2 files or documents skipped, listed in the summary)' },
    ]);
  });

  it('lists them as skipped tests in JUnit', async () => {
    const { stdout } = await runCli(['check', '-o', 'junit', 'deploy'], { cwd: tree(repository) });
    expect(stdout).toContain(
      '  <testsuite name="deploy/base/app-config.yaml" tests="1" failures="0" errors="0" skipped="1">\n' +
        '    <testcase name="the file" classname="deploy/base/app-config.yaml" file="deploy/base/app-config.yaml">\n' +
        '      <skipped message="kustomize configMapGenerator input of deploy/base/kustomization.yaml"/>\n',
    );
  });

  it('passes over what --exclude names: a path, or a name at any depth', async () => {
    const root = tree({ ...repository, 'deploy/tests/broken.yaml': 'kind: [\n', 'deploy/base/scratch.yaml': 'kind: [\n' });
    const without = await runCli(['check', 'deploy'], { cwd: root });
    expect(without.code).toBe(2);
    const { code, stdout } = await runCli(['check', '--exclude', 'deploy/tests/**', '--exclude', 'scratch.yaml', 'deploy'], { cwd: root });
    expect(stdout).toContain('Checked 2 resources in 2 files: 0 enforce, 0 warn, 0 audit, 0 input errors, 4 skipped.\n');
    expect(code).toBe(0);
  });

  it('still reports a manifest with a mistake: one of apiVersion and kind, a misspelt key, broken YAML, a string', async () => {
    const root = tree({
      'apps/only-kind.yaml': 'kind: Deployment\nmetadata: {name: web}\n',
      'apps/misspelt.yaml': 'apiversion: v1\nKind: Pod\nmetadata: {name: web}\n',
      'apps/broken.yaml': `${NAMESPACE}---\nkind: [\n`,
      'apps/string.yaml': 'apiVersion v1 kind Pod\n',
    });
    const { code, stdout } = await runCli(['check', 'apps'], { cwd: root });
    expect(stdout.split('\n').filter((line) => line.includes('  error  '))).toEqual([
      expect.stringMatching(/^apps\/broken\.yaml:6:1  error    invalid YAML: /),
      'apps/misspelt.yaml:1:1  error    not a Kubernetes object: "apiVersion" and "kind" are missing or not a string',
      'apps/only-kind.yaml:1:1  error    not a Kubernetes object: "apiVersion" is missing or not a string',
      'apps/string.yaml:1:1  error    not a Kubernetes object: the document is a string, not a mapping with apiVersion and kind',
    ]);
    expect(code).toBe(2);
  });

  it('reads a file named on the command line whatever it is, and fails when it holds no object', async () => {
    const root = tree({ 'kustomization.yaml': 'resources: []\n', 'values.yaml': 'replicas: 1\n', 'empty.yaml': '# nothing rendered\n---\n', 'ns.yaml': NAMESPACE });
    const { code, stdout } = await runCli(['check', 'kustomization.yaml', 'values.yaml', 'empty.yaml', 'ns.yaml'], { cwd: root });
    expect(stdout).toBe(
      [
        'kustomization.yaml:1:1  error    not a Kubernetes object: "apiVersion" and "kind" are missing or not a string',
        '',
        'values.yaml:1:1  error    not a Kubernetes object: "apiVersion" and "kind" are missing or not a string',
        '',
        'empty.yaml  error    no Kubernetes objects in this file',
        '',
        'Checked 1 resource in 4 files: 0 enforce, 0 warn, 0 audit, 3 input errors.',
        'Failed: 3 input errors (exit 2).',
        '',
      ].join('\n'),
    );
    expect(code).toBe(2);
  });

  it('names a Helm chart given as the directory, and says how to check it', async () => {
    const { code, stdout } = await runCli(['check', 'charts/shop'], { cwd: tree(repository) });
    expect(stdout.split('\n')[0]).toBe('charts/shop  error    a Helm chart: check what it renders (helm template RELEASE charts/shop | policygate check -)');
    expect(code).toBe(2);
  });

  it("passes on this repository's own deploy/, as the README's example runs it", async () => {
    const { code, stdout, stderr } = await runCli(['check', 'deploy/'], { cwd: ROOT });
    expect(stdout).toMatch(/\n {2}deploy\/base\/config\.yaml {2}kustomize configMapGenerator input of deploy\/base\/kustomization\.yaml\n/);
    expect(stdout).toMatch(/ 0 input errors, \d+ skipped\.\nPassed: nothing at or above --fail-on enforce\.\n$/);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('check -: standard input', () => {
  it.each([
    ['empty', ''],
    ['only empty documents, as helm writes for disabled templates', '---\n# Source: shop/templates/empty.yaml\n---\n'],
  ])('is an input error when it is %s: a failed `helm template` must not pass', async (_name, stdin) => {
    const { code, stdout, stderr } = await runCli(['check', '-'], { stdin });
    expect(stdout).toBe(
      '<stdin>  error    no objects on standard input\n\nChecked 0 resources in 1 file: 0 enforce, 0 warn, 0 audit, 1 input error.\nFailed: 1 input error (exit 2).\n',
    );
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });
});
