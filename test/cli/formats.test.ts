// The machine formats of `policygate check`: JUnit, SARIF 2.1.0 and GitHub workflow commands, from the
// real binary, with their exit codes.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/registry.js';
import { GITHUB_RESULT, SARIF_2_1_0_SUBSET } from './sarif-schema.js';
import { ROOT, runCli } from './run-cli.js';

const PSA = ['check', '--config', 'psa-config.yaml'];
/** The machine formats name files from the repository's root; the fixtures are in this repository. */
const R = 'test/cli/fixtures/';

describe('check --format junit', () => {
  it('has a suite per file and a case per resource, failing with the findings at --fail-on', async () => {
    const { code, stdout, stderr } = await runCli([...PSA, '--format', 'junit', 'psa.yaml', 'clean.yaml']);
    expect(stdout).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="policygate check" tests="3" failures="1" errors="0">',
        `  <testsuite name="${R}psa.yaml" tests="1" failures="1" errors="0" skipped="0">`,
        `    <testcase name="Pod default/debug" classname="${R}psa.yaml" file="${R}psa.yaml" line="2">`,
        `      <failure message="pod-security/hostNamespaces: host namespaces (hostPID=true)" type="pod-security/hostNamespaces">${R}psa.yaml:7:3  enforce  pod-security/hostNamespaces  host namespaces (hostPID=true)</failure>`,
        `      <system-out>${R}psa.yaml:16:11  warn  pod-security/hostPorts  hostPort (container &quot;shell&quot; uses hostPort 80)</system-out>`,
        '    </testcase>',
        '  </testsuite>',
        `  <testsuite name="${R}clean.yaml" tests="2" failures="0" errors="0" skipped="0">`,
        `    <testcase name="Namespace shop" classname="${R}clean.yaml" file="${R}clean.yaml" line="1"/>`,
        `    <testcase name="ConfigMap shop/settings" classname="${R}clean.yaml" file="${R}clean.yaml" line="7"/>`,
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('fails the warnings too with --fail-on warn, and reports input errors as test errors', async () => {
    const { code, stdout } = await runCli([...PSA, '--format', 'junit', '--fail-on', 'warn', 'psa.yaml', 'broken.yaml']);
    expect(stdout).toContain('<failure message="2 findings at or above --fail-on warn" type="pod-security/hostNamespaces">');
    expect(stdout).toContain(
      `<testcase name="document at line 9" classname="${R}broken.yaml" file="${R}broken.yaml" line="9">\n      <error message="not a Kubernetes object: the document is a string, not a mapping with apiVersion and kind" type="input-error">`,
    );
    expect(stdout).toContain(`<testsuite name="${R}broken.yaml" tests="4" failures="2" errors="2" skipped="0">`);
    expect(code).toBe(2);
  });
});

describe('check --format github', () => {
  it('writes one workflow command per finding or input error, in the order of the input, error/warning/notice by mode, then the summary', async () => {
    const { code, stdout, stderr } = await runCli([...PSA, '--format', 'github', 'psa.yaml', 'missing.yaml']);
    expect(stdout).toBe(
      [
        `::error file=${R}psa.yaml,line=7,col=3,title=pod-security/hostNamespaces (enforce%2C audit)::Pod default/debug: spec.hostPID: host namespaces (hostPID=true)`,
        `::warning file=${R}psa.yaml,line=16,col=11,title=pod-security/hostPorts (warn%2C audit)::Pod default/debug: spec.containers[0].ports[0].hostPort: hostPort (container "shell" uses hostPort 80)`,
        `::error file=${R}missing.yaml,title=policygate%3A input error::cannot read: no such file or directory`,
        'Checked 1 resource in 1 file: 1 enforce, 1 warn, 0 audit, 1 input error.',
        'Failed: 1 input error (exit 2).',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });

  it('escapes what would end a command early', async () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: "x"}\n';
    const { stdout } = await runCli(['check', '--format', 'github', '--config', 'pattern-config.yaml', '-'], { stdin: namespace });
    expect(stdout.split('\n')[0]).toMatch(/^::error file=<stdin>,line=3,col=1,title=namespace-required-labels\/missing-label \(enforce\)::Namespace x: metadata\.labels\["cost-center"\]: .*%25/);
  });
});

describe('check --format sarif', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validateSarif = ajv.compile(SARIF_2_1_0_SUBSET);
  const validateGithubResult = ajv.compile(GITHUB_RESULT);

  it('validates against SARIF 2.1.0 and meets GitHub code scanning’s requirements', async () => {
    const { code, stdout, stderr } = await runCli(['check', '--format', 'sarif', 'repo', 'broken.yaml']);
    const log = JSON.parse(stdout) as {
      $schema: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string; defaultConfiguration: { level: string } }[] } };
        results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number } } }[] }[];
        invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; locations: unknown[] }[] }[];
        originalUriBaseIds: Record<string, { uri: string }>;
      }[];
    };
    expect(validateSarif(log), ajv.errorsText(validateSarif.errors)).toBe(true);
    const [run] = log.runs;
    if (!run) throw new Error('no run');
    for (const result of run.results) expect(validateGithubResult(result), ajv.errorsText(validateGithubResult.errors)).toBe(true);
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);

    // Every rule and check is described, and every result points at its rule.
    expect(run.tool.driver.name).toBe('policygate');
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(RULES.flatMap((rule) => rule.meta.checks.map((check) => `${rule.id}/${check.id}`)));
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);

    // Regions are the field's line and column, relative to the source root: the repository's top.
    const privileged = run.results.find((result) => result.ruleId === 'pod-security/privileged' && result.level === 'error');
    expect(privileged?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: `${R}repo/apps/web/deployment.yaml`, uriBaseId: '%SRCROOT%' },
      region: { startLine: 22, startColumn: 13 },
    });
    expect(run.originalUriBaseIds['%SRCROOT%']?.uri).toBe(`file://${ROOT}/`);
    expect(new Set(run.results.map((result) => result.level))).toEqual(new Set(['error', 'note']));

    // Input errors are tool notifications with their place, and the run did not do all it was asked.
    expect(run.invocations[0]?.executionSuccessful).toBe(false);
    expect(run.invocations[0]?.toolExecutionNotifications.map((notification) => notification.message.text)).toEqual([
      expect.stringMatching(/^invalid YAML: /),
      'not a Kubernetes object: the document is a string, not a mapping with apiVersion and kind',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(2);
  });

  it('is valid with nothing found', async () => {
    const { code, stdout } = await runCli(['check', '--format', 'sarif', 'clean.yaml']);
    const log = JSON.parse(stdout) as { runs: { invocations: { executionSuccessful: boolean }[] }[] };
    expect(validateSarif(log), ajv.errorsText(validateSarif.errors)).toBe(true);
    expect(log.runs[0]?.invocations[0]?.executionSuccessful).toBe(true);
    expect(code).toBe(0);
  });
});
