// The formats' edge cases, in process: escaping, files outside the working directory, standard input.
// The formats as a user sees them are tested through the binary in test/cli/.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config/load.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { escapeXml, formatJunit } from './junit.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import { exitCodeOf, failsRun, type CheckReport, type CheckResult, type FormatOptions } from './types.js';

const OPTIONS: FormatOptions & { config: typeof DEFAULT_CONFIG } = { failOn: 'enforce', color: false, cwd: '/repo', root: '/repo', version: '1.2.3', config: DEFAULT_CONFIG };

function result(overrides: Partial<CheckResult>): CheckResult {
  return {
    file: 'a.yaml',
    line: 3,
    column: 5,
    apiVersion: 'v1',
    kind: 'Namespace',
    namespace: null,
    name: 'x',
    rule: 'namespace-required-labels',
    check: 'missing-label',
    mode: 'enforce',
    path: 'metadata.labels["team"]',
    message: 'missing',
    related: [],
    ...overrides,
  };
}

function report(results: CheckResult[], errors: CheckReport['errors'] = []): CheckReport {
  const files = [...new Set([...results.map((entry) => entry.file), ...errors.map((entry) => entry.file)])];
  return {
    files,
    // One resource per object: findings of the same file, kind and name belong to one.
    resources: [...Map.groupBy(results, (entry) => `${entry.file}/${entry.kind}/${entry.name}`).values()].map((found) => {
      const [entry] = found as [CheckResult];
      return { file: entry.file, line: 1, column: 1, apiVersion: entry.apiVersion, kind: entry.kind, namespace: entry.namespace, name: entry.name, results: found };
    }),
    results,
    errors,
    skipped: [],
    summary: {
      files: new Set(results.map((entry) => entry.file)).size,
      resources: results.length,
      enforce: results.filter((entry) => entry.mode === 'enforce').length,
      warn: results.filter((entry) => entry.mode === 'warn').length,
      audit: results.filter((entry) => entry.mode === 'audit').length,
      excepted: results.filter((entry) => entry.mode === 'excepted').length,
      errors: errors.length,
      skipped: 0,
    },
  };
}

describe('--fail-on and the exit code', () => {
  it.each([
    ['enforce', 'enforce', true],
    ['warn', 'enforce', false],
    ['warn', 'warn', true],
    ['audit', 'warn', false],
    ['audit', 'audit', true],
    ['enforce', 'never', false],
  ] as const)('a %s finding with --fail-on %s fails: %s', (mode, failOn, fails) => {
    expect(failsRun(mode, failOn)).toBe(fails);
  });

  it('is 2 with an input error whatever the findings, 1 with a failing finding, else 0', () => {
    expect(exitCodeOf(report([result({ mode: 'warn' })]), 'enforce')).toBe(0);
    expect(exitCodeOf(report([result({})]), 'enforce')).toBe(1);
    expect(exitCodeOf(report([], [{ file: 'b.yaml', line: 1, column: 1, message: 'bad' }]), 'never')).toBe(2);
  });
});

describe('json', () => {
  it('is laid out exactly as JSON.stringify lays out the whole report, although written result by result', () => {
    const findings = [result({}), result({ mode: 'audit' }), result({ file: 'b.yaml', name: 'y', line: 9 })];
    const errors = [{ file: 'c.yaml', line: 2, column: 4, message: 'invalid YAML: x' }];
    const text = formatJson({ ...report(findings, errors), skipped: [{ file: 'values.yaml', line: 1, reason: 'neither apiVersion nor kind: not a Kubernetes object' }] }, OPTIONS);
    const parsed = JSON.parse(text) as unknown;
    expect(text).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(parsed).toMatchObject({ results: [{ file: 'a.yaml' }, { file: 'a.yaml', mode: 'audit' }, { file: 'b.yaml' }], errors: [{ file: 'c.yaml', column: 4 }], skipped: [{ file: 'values.yaml' }] });
    const empty = formatJson(report([]), OPTIONS);
    expect(empty).toBe(`${JSON.stringify(JSON.parse(empty), null, 2)}\n`);
  });
});

describe('github', () => {
  it('escapes newlines and percent signs in messages, and commas and colons in properties', () => {
    const text = formatGithub(report([result({ file: 'dir,x/a:b.yaml', message: '100% sure\nreally' })]), OPTIONS);
    expect(text.split('\n')[0]).toBe(
      '::error file=dir%2Cx/a%3Ab.yaml,line=3,col=5,title=namespace-required-labels/missing-label (enforce)::Namespace x: metadata.labels["team"]: 100%25 sure%0Areally',
    );
  });
});

describe('junit', () => {
  it('escapes markup and replaces what XML cannot hold', () => {
    expect(escapeXml(`<a href="x">'&'</a>\u0001\u0007`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\uFFFD\uFFFD');
    expect(formatJunit(report([result({ message: 'bad <tag>' })]), OPTIONS)).toContain('message="namespace-required-labels/missing-label: bad &lt;tag&gt;"');
  });
});

describe('sarif', () => {
  type Log = { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[]; relatedLocations?: unknown[] }[] }[] };
  const uris = (text: string) => (JSON.parse(text) as Log).runs[0]?.results.map((entry) => entry.locations[0]?.physicalLocation.artifactLocation);

  it('makes files relative to the repository root, wherever the command ran, and never file:// or ../', () => {
    const inSubdirectory = { ...OPTIONS, cwd: '/repo/deploy' };
    const files = ['base/a b.yaml', '../charts/x.yaml', '/repo/apps/c.yaml', '/elsewhere/d.yaml', '<stdin>'];
    const text = formatSarif(report(files.map((file) => result({ file }))), inSubdirectory);
    expect(uris(text)).toEqual([
      { uri: 'deploy/base/a%20b.yaml', uriBaseId: '%SRCROOT%' },
      { uri: 'charts/x.yaml', uriBaseId: '%SRCROOT%' },
      { uri: 'apps/c.yaml', uriBaseId: '%SRCROOT%' },
      { uri: '/elsewhere/d.yaml' },
      { uri: 'stdin' },
    ]);
    expect((JSON.parse(text) as { runs: { originalUriBaseIds: unknown }[] }).runs[0]?.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
  });

  it('has one result per finding, in its strongest mode, with every mode in its properties', () => {
    type Results = { runs: { results: { level: string; partialFingerprints: Record<string, string>; properties: { mode: string; modes: string[] } }[] }[] };
    const text = formatSarif(report([result({ mode: 'enforce' }), result({ mode: 'audit' }), result({ mode: 'warn', check: 'invalid-value' })]), OPTIONS);
    const results = (JSON.parse(text) as Results).runs[0]?.results ?? [];
    expect(results.map((entry) => [entry.level, entry.properties.mode, entry.properties.modes])).toEqual([
      ['error', 'enforce', ['enforce', 'audit']],
      ['warning', 'warn', ['warn']],
    ]);
    expect(new Set(results.map((entry) => entry.partialFingerprints['policygate/v1'])).size).toBe(2);
  });

  it('lists the other offending fields as related locations', () => {
    const text = formatSarif(report([result({ related: [{ path: 'spec.containers[1].securityContext.privileged', line: 9, column: 7 }] })]), OPTIONS);
    expect((JSON.parse(text) as Log).runs[0]?.results[0]?.relatedLocations).toEqual([
      { id: 0, physicalLocation: { artifactLocation: { uri: 'a.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 9, startColumn: 7 } }, message: { text: 'spec.containers[1].securityContext.privileged' } },
    ]);
  });
});

describe('text', () => {
  it('reports a file that cannot be read without a line, and says when nothing fails', () => {
    const text = formatText(report([result({ mode: 'audit' })], [{ file: 'gone.yaml', line: null, column: null, message: 'cannot read: no such file or directory' }]), { ...OPTIONS, failOn: 'never' });
    expect(text).toBe(
      [
        'a.yaml:3:5  audit    namespace-required-labels/missing-label  Namespace x: missing',
        '',
        'gone.yaml  error    cannot read: no such file or directory',
        '',
        'Checked 1 resource in 1 file: 0 enforce, 0 warn, 1 audit, 1 input error.',
        'Failed: 1 input error (exit 2).',
        '',
      ].join('\n'),
    );
  });
});
