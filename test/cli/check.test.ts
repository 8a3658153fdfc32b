// `policygate check` as CI runs it: the real binary in a child process, every format and exit code,
// asserting stdout, stderr and the exit code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../src/report/json.js';
import { runCli } from './run-cli.js';

const PSA = ['check', '--config', 'psa-config.yaml'];
/** The machine formats name files from the repository's root; the fixtures are in this repository. */
const IN_REPOSITORY = 'test/cli/fixtures/';

describe('check --format text (the default)', () => {
  it('prints each finding once, in its strongest mode, as file:line:column  mode  rule/check  object: message, then a summary', async () => {
    // psa-config raises hostNamespaces as enforce and audit, hostPorts as warn and audit: the JSON
    // below keeps all four.
    const { code, stdout, stderr } = await runCli([...PSA, 'psa.yaml']);
    expect(stdout).toBe(
      [
        'psa.yaml:7:3  enforce  pod-security/hostNamespaces  Pod default/debug: host namespaces (hostPID=true)',
        'psa.yaml:16:11  warn     pod-security/hostPorts  Pod default/debug: hostPort (container "shell" uses hostPort 80)',
        '',
        'Checked 1 resource in 1 file: 1 enforce, 1 warn, 0 audit, 0 input errors.',
        'Failed: 1 finding at or above --fail-on enforce (exit 1).',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('groups by file, in the order of the arguments and of a directory walk', async () => {
    const { code, stdout, stderr } = await runCli(['check', 'repo', 'clean.yaml']);
    const files = [...new Set(stdout.split('\n').filter((line) => /^\S+:\d+:\d+ /.test(line)).map((line) => line.slice(0, line.indexOf(':'))))];
    // .hidden/ and notes.txt are not picked up. clean.yaml has no findings of its own, but the whole
    // input is the context of network-isolation: beside repo's NetworkPolicy, its namespace has no default-deny.
    expect(files).toEqual(['repo/apps/network.json', 'repo/apps/web/deployment.yaml', 'repo/apps/web/job.yml', 'repo/namespaces.yaml', 'clean.yaml']);
    expect(stdout).toContain('clean.yaml:4:3  audit    network-isolation/namespace-without-default-deny  Namespace shop: not every pod of namespace shop is isolated for ingress');
    expect(stdout).toMatch(/\n\nrepo\/apps\/web\/deployment\.yaml:/);
    expect(stdout).toContain('Checked 7 resources in 5 files: ');
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('colours only on a terminal or when FORCE_COLOR asks, and never with NO_COLOR', async () => {
    const plain = await runCli([...PSA, 'psa.yaml']);
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await runCli([...PSA, 'psa.yaml'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[31menforce\u001b[39m');
    expect(forced.stdout.replace(/\u001b\[\d+m/g, '')).toBe(plain.stdout);
    const none = await runCli([...PSA, 'psa.yaml'], { env: { NO_COLOR: '1' } });
    expect(none.stdout).toBe(plain.stdout);
  });
});

describe('check: network policies of every API', () => {
  it('points at the fields that open a direction to everything, in the same file:line:column form', async () => {
    const { code, stdout, stderr } = await runCli(['check', 'network-policies.yaml']);
    expect(stdout.split('\n').filter((line) => /^\S+:\d+:\d+ /.test(line))).toEqual([
      'network-policies.yaml:10:7  enforce  network-policy-allow-all/allow-all-ingress  NetworkPolicy shop/halves: ingress rule admits every source on every port (from[0]: ipBlock 0.0.0.0/1 and from[1]: ipBlock 128.0.0.0/1 together cover every IPv4 address; no "ports"); narrow "from" to the pods, namespaces or CIDRs that need access and list their "ports"',
      'network-policies.yaml:23:7  enforce  network-policy-allow-all/allow-all-ingress  CiliumClusterwideNetworkPolicy from-all: ingress rule admits every source on every port (fromEntities[0]: all; no "toPorts"); narrow fromEndpoints, fromCIDRSet or fromEntities to the endpoints, CIDRs or entities that need access and list their "toPorts"',
      'network-policies.yaml:53:7  enforce  network-policy-allow-all/allow-all-egress  GlobalNetworkPolicy allow-everything: egress rule admits every destination on every port (no "destination" selector or nets; no "protocol"); narrow "destination" to the selectors or nets it needs to reach and list their "protocol" and "destination.ports"',
      'network-policies.yaml:64:7  warn     network-policy-allow-all/allow-all-cluster-ingress  AdminNetworkPolicy every-namespace: ingress rule admits every pod of every namespace on every port (from[0]: namespaces {}; no "ports"); narrow the namespaces and pods selectors in "from" to the pods that need access and list their "ports"; an AdminNetworkPolicy Allow overrides every namespace\'s own NetworkPolicies',
    ]);
    expect(stdout).toContain('Checked 5 resources in 1 file: 3 enforce, 1 warn, 0 audit, 0 input errors.');
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('lists every contributing field as a related location in SARIF', async () => {
    const { stdout } = await runCli(['check', '--format', 'sarif', 'network-policies.yaml']);
    type Log = { runs: { results: { locations: { physicalLocation: { region: { startLine: number } } }[]; relatedLocations?: { message: { text: string }; physicalLocation: { region: { startLine: number; startColumn: number } } }[] }[] }[] };
    const [halves] = (JSON.parse(stdout) as Log).runs[0]?.results ?? [];
    expect(halves?.relatedLocations?.map((location) => [location.message.text, location.physicalLocation.region.startLine, location.physicalLocation.region.startColumn])).toEqual([
      ['spec.ingress[0].from[0].ipBlock.cidr', 12, 13],
      ['spec.ingress[0].from[1].ipBlock.cidr', 14, 13],
    ]);
  });
});

describe('check --format json', () => {
  it('follows the documented contract', async () => {
    const { code, stdout, stderr } = await runCli([...PSA, '--format', 'json', 'psa.yaml']);
    expect(JSON.parse(stdout)).toEqual({
      results: [
        {
          file: `${IN_REPOSITORY}psa.yaml`,
          line: 7,
          column: 3,
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: 'default',
          name: 'debug',
          rule: 'pod-security',
          check: 'hostNamespaces',
          mode: 'enforce',
          path: 'spec.hostPID',
          message: 'host namespaces (hostPID=true)',
        },
        expect.objectContaining({ line: 7, column: 3, check: 'hostNamespaces', mode: 'audit' }),
        expect.objectContaining({ line: 16, column: 11, check: 'hostPorts', mode: 'warn', path: 'spec.containers[0].ports[0].hostPort' }),
        expect.objectContaining({ line: 16, column: 11, check: 'hostPorts', mode: 'audit', message: 'hostPort (container "shell" uses hostPort 80)' }),
      ],
      errors: [],
      skipped: [],
      summary: { files: 1, resources: 1, enforce: 1, warn: 1, audit: 2, excepted: 0, errors: 0, skipped: 0 },
    });
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('points at the offending field, or at its nearest ancestor when the field is missing', async () => {
    const { stdout } = await runCli(['check', '-o', 'json', 'repo']);
    const report = JSON.parse(stdout) as JsonReport;
    const find = (check: string) => report.results.find((result) => result.check === check && result.mode === 'enforce');
    // `privileged: yes` is true to kubectl (YAML 1.1), so it is to the checker.
    expect(find('privileged')).toMatchObject({ file: `${IN_REPOSITORY}repo/apps/web/deployment.yaml`, line: 22, column: 13, namespace: 'team-a', name: 'web', kind: 'Deployment' });
    // team-b has no `team` label: the finding points at `labels`.
    expect(find('missing-label')).toMatchObject({ file: `${IN_REPOSITORY}repo/namespaces.yaml`, line: 14, column: 3, namespace: null, name: 'team-b', path: 'metadata.labels["team"]' });
    expect(find('allow-all-ingress')).toMatchObject({ file: `${IN_REPOSITORY}repo/apps/network.json`, line: 7, column: 17, path: 'spec.ingress[0]' });
    expect(report.summary).toEqual({ files: 4, resources: 5, enforce: report.results.filter((r) => r.mode === 'enforce').length, warn: 0, audit: expect.any(Number), excepted: 0, errors: 0, skipped: 0 });
  });

  it("judges pods by the labels of their Namespace in the input, and by the configured defaults elsewhere", async () => {
    const { stdout } = await runCli(['check', '-o', 'json', 'repo']);
    const report = JSON.parse(stdout) as JsonReport;
    const enforced = (name: string) => report.results.filter((result) => result.name === name && result.mode === 'enforce').map((result) => result.check);
    // team-a enforces restricted (its label); team-b has no label, so baseline (the default) applies.
    expect(enforced('web')).toEqual(['privileged']);
    expect(enforced('migrate')).toEqual(['hostNamespaces']);
    // The volume without a source is an emptyDir (the API server's default): restricted allows it.
    expect(report.results.some((result) => result.check === 'restrictedVolumes')).toBe(false);
  });

  it('puts objects that name no namespace in --namespace', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, securityContext: {privileged: true}}]\n';
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: sandbox\n  labels: {team: x, policygate.dev/mode: audit}\n';
    const { stdout } = await runCli(['check', '-o', 'json', '--namespace', 'sandbox', '--group', 'system:masters', '-'], { stdin: `${namespace}---\n${pod}` });
    const report = JSON.parse(stdout) as JsonReport;
    // sandbox lowers every rule to audit with policygate.dev/mode.
    expect(report.results.filter((result) => result.name === 'p').map((result) => [result.namespace, result.check, result.mode])).toContainEqual(['sandbox', 'privileged', 'audit']);
    expect(report.results.some((result) => result.mode === 'enforce')).toBe(false);
  });

  it('reports input errors with file and line, and still checks everything else', async () => {
    const { code, stdout, stderr } = await runCli(['check', '-o', 'json', 'broken.yaml', 'missing.yaml', 'psa.yaml']);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.errors).toEqual([
      { file: `${IN_REPOSITORY}broken.yaml`, line: 8, column: 1, message: expect.stringMatching(/^invalid YAML: /) },
      { file: `${IN_REPOSITORY}broken.yaml`, line: 9, column: 1, message: 'not a Kubernetes object: the document is a string, not a mapping with apiVersion and kind' },
      { file: `${IN_REPOSITORY}missing.yaml`, line: null, column: null, message: 'cannot read: no such file or directory' },
    ]);
    expect(report.results.filter((result) => result.mode === 'enforce').map((result) => `${result.file.slice(IN_REPOSITORY.length)}:${result.line} ${result.check}`)).toEqual([
      'broken.yaml:3 missing-label',
      'broken.yaml:15 hostNamespaces',
      'psa.yaml:7 hostNamespaces',
      'psa.yaml:16 hostPorts',
    ]);
    expect(report.summary).toMatchObject({ files: 2, resources: 3, errors: 3 });
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });
});

describe('exit codes', () => {
  // Each case states what the input holds (the modes found, and whether there are input errors), so
  // that an exit code of 0 means "nothing reached --fail-on", not "nothing was found".
  it.each([
    ['nothing found', ['clean.yaml'], [], 0],
    ['an enforce finding', ['psa.yaml'], ['enforce', 'audit'], 1],
    ['only warnings, --fail-on enforce', ['warn-only.yaml'], ['warn'], 0],
    ['only warnings, --fail-on warn', ['--fail-on', 'warn', 'warn-only.yaml'], ['warn'], 1],
    ['only audit findings, --fail-on warn', ['--config', 'psa-config.yaml', '--fail-on', 'warn', '-'], ['audit'], 0],
    ['only audit findings, --fail-on audit', ['--config', 'psa-config.yaml', '--fail-on', 'audit', '-'], ['audit'], 1],
    ['--fail-on never', ['--fail-on', 'never', 'psa.yaml'], ['enforce', 'audit'], 0],
    ['an input error, whatever --fail-on says', ['--fail-on', 'never', 'broken.yaml'], ['enforce', 'audit', 'input errors'], 2],
  ])('%s', async (_name, args, found, expected) => {
    // For the audit-only cases: a pod that meets baseline but not restricted.
    const stdin = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n';
    const { code, stdout, stderr } = await runCli(['check', '-o', 'json', ...args], { stdin });
    const { summary } = JSON.parse(stdout) as JsonReport;
    const present = [...(['enforce', 'warn', 'audit'] as const).filter((mode) => summary[mode] > 0), ...(summary.errors > 0 ? ['input errors'] : [])];
    expect(present).toEqual(found);
    expect(stderr).toBe('');
    expect(code, stdout).toBe(expected);
  });

  it.each([
    [['check'], 'policygate check: no PATH given: name files or directories of manifests with -f PATH, or -f - for standard input (see --help)\n'],
    [['check', '--format', 'xml', 'x.yaml'], 'policygate check: --format must be one of text, json, junit, sarif, github (got "xml")\n'],
    [['check', '--fail-on', 'error', 'x.yaml'], 'policygate check: --fail-on must be one of enforce, warn, audit, never (got "error")\n'],
    [['check', '--namespace', 'Team_A', 'x.yaml'], 'policygate check: --namespace must be a namespace name such as "team-a" (got "Team_A")\n'],
    [['check', '--colour', 'x.yaml'], "policygate check: Unknown option '--colour' (see --help)\n"],
    [['check', '-', '-'], 'policygate check: "-" (standard input) can be given only once\n'],
  ])('usage error: %j', async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(stderr).toBe(message);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('refuses an invalid configuration with its file, line and column', async () => {
    const { code, stdout, stderr } = await runCli(['check', '--config', 'bad-config.yaml', 'clean.yaml']);
    expect(stderr).toBe('policygate check: bad-config.yaml:3:11: rules.network-policy-allow-all.mode: must be one of enforce, warn, audit, off (got "enforcing")\n');
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('prints its usage with --help', async () => {
    const { code, stdout, stderr } = await runCli(['check', '--help']);
    expect(stdout).toMatch(/^Usage: policygate check \[options\] \[-f\] PATH\.\.\./);
    expect(stdout).toContain('--fail-on LEVEL');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('input', () => {
  const directory = mkdtempSync(join(tmpdir(), 'policygate-check-test-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reads a helm template stream from standard input, named <stdin>', async () => {
    const stream = [
      '---',
      '# Source: shop/templates/namespace.yaml',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: shop',
      '---',
      '# Source: shop/templates/empty.yaml',
      '---',
      '# Source: shop/templates/pods.yaml',
      'apiVersion: v1',
      'kind: PodList',
      'items:',
      '  - metadata: {name: a, namespace: shop}',
      '    spec: {hostIPC: true, containers: [{name: c, image: x}]}',
      '',
    ].join('\n');
    const { code, stdout } = await runCli(['check', '-o', 'json', '-'], { stdin: stream });
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.results.filter((result) => result.mode === 'enforce').map((result) => [result.file, result.line, result.column, result.kind, result.check])).toEqual([
      ['<stdin>', 5, 1, 'Namespace', 'missing-label'],
      ['<stdin>', 15, 12, 'Pod', 'hostNamespaces'],
    ]);
    expect(report.summary).toMatchObject({ files: 1, resources: 2, errors: 0 });
    expect(code).toBe(1);
  });

  it('applies the enabled mutations before judging, as the cluster would', async () => {
    // warn-config gives the `team` label a default, which the mutating webhook fills in.
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: fresh}\n';
    const without = JSON.parse((await runCli(['check', '-o', 'json', '-'], { stdin: namespace })).stdout) as JsonReport;
    const withDefault = JSON.parse((await runCli(['check', '-o', 'json', '--config', 'warn-config.yaml', '-'], { stdin: namespace })).stdout) as JsonReport;
    expect(without.results.map((result) => result.check)).toEqual(['missing-label']);
    expect(withDefault.results).toEqual([]);
  });

  it('judges as --user and --group, for the rules that ask who applies', async () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: locked\n  labels: {team: x, pod-security.kubernetes.io/enforce: restricted}\n';
    const results = async (...args: string[]) => (JSON.parse((await runCli(['check', '-o', 'json', ...args, '-'], { stdin: namespace })).stdout) as JsonReport).results;
    // Without a user nobody is changing the labels; bob may not, a member of system:masters may.
    expect(await results()).toEqual([]);
    expect((await results('--user', 'bob')).map((result) => `${result.rule}/${result.check} ${result.line}:${result.column}`)).toEqual([
      'policy-label-guard/unauthorized-change 5:21',
    ]);
    expect(await results('--user', 'alice', '--group', 'system:masters')).toEqual([]);
  });

  it("defaults a host-network Pod's hostPort to its containerPort, as the API server does, so Pod Security reports it", async () => {
    const spec = (indent: string) =>
      ['hostNetwork: true', 'containers:', '  - name: agent', '    image: x', '    ports:', '      - containerPort: 9100'].map((line) => `${indent}${line}`).join('\n');
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: agent}\nspec:\n${spec('  ')}\n`;
    // Since Kubernetes 1.28 a workload's template is not defaulted so: only its host network is reported.
    const daemonSet = `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agents}\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n${spec('      ')}\n`;
    const { code, stdout } = await runCli(['check', '--format', 'json', '-'], { stdin: `${pod}---\n${daemonSet}` });
    const enforced = (JSON.parse(stdout) as JsonReport).results.filter((result) => result.mode === 'enforce');
    expect(enforced.map((result) => [result.kind, result.check, result.line, result.column, result.message])).toEqual([
      ['Pod', 'hostNamespaces', 5, 3, 'host namespaces (hostNetwork=true)'],
      ['Pod', 'hostPorts', 10, 11, 'hostPort (container "agent" uses hostPort 9100)'],
      ['DaemonSet', 'hostNamespaces', 20, 7, 'host namespaces (hostNetwork=true)'],
    ]);
    expect(code).toBe(1);
  });

  it('reports a complex mapping key where it is', async () => {
    const stream = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: a}}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  ? [a, b]\n  : c\n';
    const { code, stdout } = await runCli(['check', '-'], { stdin: stream });
    expect(stdout).toContain('<stdin>:9:5  error    invalid YAML: object-based map does not support complex keys\n');
    expect(code).toBe(2);
  });

  it('reads JSON files, and YAML with a byte-order mark', async () => {
    writeFileSync(join(directory, 'a.yml'), '\uFEFFapiVersion: v1\nkind: Pod\nmetadata: {name: bom}\nspec: {hostNetwork: true, containers: [{name: c, image: x}]}\n');
    writeFileSync(join(directory, 'b.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'json' }, spec: { hostPID: true, containers: [{ name: 'c', image: 'x' }] } }));
    const { stdout } = await runCli(['check', '-o', 'json', directory]);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.results.filter((result) => result.mode === 'enforce').map((result) => [result.name, result.line, result.column])).toEqual([
      ['bom', 4, 8],
      ['json', 1, 68],
    ]);
  });
});
