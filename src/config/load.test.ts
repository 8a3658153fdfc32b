import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, InputError } from '../errors.js';
import { DEFAULT_CONFIG, loadConfig, parseConfig } from './load.js';

/** The configuration example from the README and the issue, verbatim. */
const FULL_EXAMPLE = `rules:
  namespace-required-labels:
    mode: enforce                # enforce | warn | audit | off
    labels:
      - key: team                # present and not blank
      - key: environment
        values: [dev, staging, prod]   # exact, case-sensitive
        default: dev             # what the mutating webhook fills in when absent
      - key: cost-center
        pattern: "^[0-9]{4}$"    # always matched against the whole value
    exemptNamespaces: [kube-system, kube-public, kube-node-lease]
  network-policy-allow-all:
    mode: enforce
    checks:                      # a mode per check overrides the rule's mode
      allow-all-cluster-ingress: warn
      allow-all-cluster-egress: warn
    exemptNamespaces: []
  pod-security:
    mode: enforce
    defaults: {enforce: baseline, enforce-version: latest, warn: restricted, warn-version: latest, audit: restricted, audit-version: latest}
    exemptions: {usernames: [], runtimeClassNames: [], namespaces: []}
mutations:
  namespaceLabelDefaults: true
  podSecurityContextDefaults: false
`;

/** The InputError `parseConfig` throws for this text, as `location: message`. */
function refusal(text: string, source = 'config.yaml'): string {
  try {
    parseConfig(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(EXIT.input);
    return (error as InputError).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the embedded default', () => {
  it('loads through the same parser, complete, with the documented values', () => {
    expect(DEFAULT_CONFIG).toEqual({
      rules: {
        'namespace-required-labels': {
          mode: 'enforce',
          labels: [{ key: 'team' }],
          exemptNamespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
          checks: {},
        },
        'network-isolation': { mode: 'enforce', systemNamespaces: ['kube-system'], defaultDenyDirection: 'ingress', checks: {}, exemptNamespaces: ['kube-public', 'kube-node-lease'] },
        'network-policy-allow-all': { mode: 'enforce', checks: {}, exemptNamespaces: [] },
        'pod-security': {
          mode: 'enforce',
          defaults: { enforce: 'baseline', 'enforce-version': 'latest', warn: 'restricted', 'warn-version': 'latest', audit: 'restricted', 'audit-version': 'latest' },
          exemptions: { usernames: [], runtimeClassNames: [], namespaces: ['kube-system'] },
          checks: {},
          exemptNamespaces: [],
        },
        'policy-label-guard': {
          mode: 'enforce',
          principals: { users: [], groups: ['system:masters'], serviceAccounts: [] },
          checks: {},
          exemptNamespaces: [],
        },
      },
      mutations: { namespaceLabelDefaults: true, podSecurityContextDefaults: false },
      networkBaseline: {
        enabled: false,
        exemptNamespaces: ['kube-system', 'kube-public', 'kube-node-lease', 'policygate'],
        recreateDeleted: true,
        policies: [
          { name: 'policygate-default-deny', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
          {
            name: 'policygate-allow-dns',
            spec: {
              podSelector: {},
              policyTypes: ['Egress'],
              egress: [
                {
                  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
                  ports: [
                    { protocol: 'UDP', port: 53 },
                    { protocol: 'TCP', port: 53 },
                  ],
                },
              ],
            },
          },
        ],
      },
      exceptions: [],
    });
  });

  it('is frozen, and loadConfig() without a file hands out a copy to change', async () => {
    expect(Object.isFrozen(DEFAULT_CONFIG.rules['namespace-required-labels'].labels)).toBe(true);
    const config = await loadConfig();
    expect(config).toEqual(DEFAULT_CONFIG);
    config.rules['pod-security'].mode = 'warn';
    expect(DEFAULT_CONFIG.rules['pod-security'].mode).toBe('enforce');
  });
});

describe('a good file', () => {
  it('loads the full example', () => {
    const config = parseConfig(FULL_EXAMPLE, 'config.yaml');
    expect(config.rules['namespace-required-labels']).toEqual({
      mode: 'enforce',
      labels: [{ key: 'team' }, { key: 'environment', values: ['dev', 'staging', 'prod'], default: 'dev' }, { key: 'cost-center', pattern: '^[0-9]{4}$' }],
      exemptNamespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
      checks: {},
    });
    expect(config.rules['network-policy-allow-all'].checks).toEqual({ 'allow-all-cluster-ingress': 'warn', 'allow-all-cluster-egress': 'warn' });
    expect(config.rules['pod-security'].exemptions.namespaces).toEqual([]);
  });

  it('reads `off` as the mode, not as YAML 1.1 false', () => {
    const config = parseConfig('rules:\n  pod-security:\n    mode: off\n    checks: {privileged: off}\n', 'config.yaml');
    expect(config.rules['pod-security'].mode).toBe('off');
    expect(config.rules['pod-security'].checks).toEqual({ privileged: 'off' });
  });

  it('fills what a partial file leaves out from the default; a list it gives replaces the default list', () => {
    const config = parseConfig('rules:\n  namespace-required-labels:\n    exemptNamespaces: [platform]\n  pod-security:\n    defaults: {enforce: restricted}\n', 'partial.yaml');
    expect(config.rules['namespace-required-labels']).toEqual({ mode: 'enforce', labels: [{ key: 'team' }], exemptNamespaces: ['platform'], checks: {} });
    expect(config.rules['pod-security'].defaults).toEqual({ ...DEFAULT_CONFIG.rules['pod-security'].defaults, enforce: 'restricted' });
    expect(config.rules['network-policy-allow-all']).toEqual(DEFAULT_CONFIG.rules['network-policy-allow-all']);
    expect(config.mutations).toEqual(DEFAULT_CONFIG.mutations);
  });

  it.each([
    { name: 'an empty file', text: '' },
    { name: 'a file of comments', text: '# nothing to change\n' },
    { name: 'an empty mapping', text: '{}\n' },
    { name: 'empty rules', text: 'rules: {}\n' },
  ])('takes $name as the default', ({ text }) => {
    expect(parseConfig(text, 'config.yaml')).toEqual(DEFAULT_CONFIG);
  });

  it('accepts a pattern whether or not it is anchored, and a default that satisfies it', () => {
    const text = 'rules:\n  namespace-required-labels:\n    labels:\n      - {key: cost-center, pattern: "[0-9]{4}", default: "0000"}\n      - {key: example.com/tier, values: [web, db]}\n';
    expect(parseConfig(text, 'config.yaml').rules['namespace-required-labels'].labels).toEqual([
      { key: 'cost-center', pattern: '[0-9]{4}', default: '0000' },
      { key: 'example.com/tier', values: ['web', 'db'] },
    ]);
  });
});

describe('a bad file', () => {
  it.each([
    {
      name: 'an unknown mode',
      text: 'rules:\n  namespace-required-labels:\n    mode: enforce\n  network-policy-allow-all:\n    exemptNamespaces: []\n    checks: {}\n    mode: enforcing\n',
      message: 'config.yaml:7:11: rules.network-policy-allow-all.mode: must be one of enforce, warn, audit, off (got "enforcing")',
    },
    {
      name: 'an unknown top-level key',
      text: 'rules: {}\nmutation:\n  namespaceLabelDefaults: true\n',
      message: 'config.yaml:2:1: mutation: unknown key (expected one of rules, mutations, networkBaseline, exceptions)',
    },
    {
      name: 'an unknown rule',
      text: 'rules:\n  pod-securty:\n    mode: warn\n',
      message: 'config.yaml:2:3: rules.pod-securty: unknown key (expected one of namespace-required-labels, network-isolation, network-policy-allow-all, pod-security, policy-label-guard)',
    },
    {
      name: 'an unknown key in a label',
      text: 'rules:\n  namespace-required-labels:\n    labels:\n      - key: team\n        regex: x\n',
      message: 'config.yaml:5:9: rules.namespace-required-labels.labels[0].regex: unknown key (expected one of key, values, pattern, default)',
    },
    {
      name: 'an unknown check',
      text: 'rules:\n  network-policy-allow-all:\n    checks:\n      allow-all: warn\n',
      message:
        'config.yaml:4:7: rules.network-policy-allow-all.checks.allow-all: unknown check (expected one of allow-all-ingress, allow-all-egress, allow-all-cluster-ingress, allow-all-cluster-egress)',
    },
    {
      name: 'an unknown mode for a check',
      text: 'rules:\n  namespace-required-labels:\n    checks: {invalid-value: deny}\n',
      message: 'config.yaml:3:29: rules.namespace-required-labels.checks.invalid-value: must be one of enforce, warn, audit, off (got "deny")',
    },
    {
      name: 'an unknown level',
      text: 'rules:\n  pod-security:\n    defaults:\n      enforce: strict\n',
      message: 'config.yaml:4:16: rules.pod-security.defaults.enforce: must be one of privileged, baseline, restricted (got "strict")',
    },
    {
      name: 'an unknown default-deny direction',
      text: 'rules:\n  network-isolation:\n    defaultDenyDirection: all\n',
      message: 'config.yaml:3:27: rules.network-isolation.defaultDenyDirection: must be one of ingress, egress, both (got "all")',
    },
    {
      name: 'a version without the v1. prefix',
      text: 'rules:\n  pod-security:\n    defaults:\n      enforce-version: "1.30"\n',
      message: 'config.yaml:4:24: rules.pod-security.defaults.enforce-version: must be "latest" or "v1.N" (e.g. "v1.31") (got "1.30")',
    },
    {
      name: 'a boolean written as a word',
      text: 'mutations:\n  namespaceLabelDefaults: yes\n',
      message: 'config.yaml:2:27: mutations.namespaceLabelDefaults: must be true or false (got "yes")',
    },
    {
      name: 'a list where a mapping belongs',
      text: 'rules:\n  - pod-security\n',
      message: 'config.yaml:2:3: rules: must be a mapping (got a list)',
    },
    {
      name: 'a number where a label value belongs',
      text: 'rules:\n  namespace-required-labels:\n    labels:\n      - key: cost-center\n        values: [0042]\n',
      message: 'config.yaml:5:18: rules.namespace-required-labels.labels[0].values[0]: must be a string (got 0042; quote it to keep it as text)',
    },
    {
      name: 'a label without a key',
      text: 'rules:\n  namespace-required-labels:\n    labels:\n      - values: [a]\n',
      message: 'config.yaml:4:9: rules.namespace-required-labels.labels[0]: missing required key "key"',
    },
    {
      name: 'an empty list of values',
      text: 'rules:\n  namespace-required-labels:\n    labels:\n      - {key: tier, values: []}\n',
      message: 'config.yaml:4:29: rules.namespace-required-labels.labels[0].values: must not be an empty list',
    },
    {
      name: 'a value listed twice',
      text: 'rules:\n  namespace-required-labels:\n    labels:\n      - {key: tier, values: [web, db, web]}\n',
      message: 'config.yaml:4:39: rules.namespace-required-labels.labels[0].values: must not list "web" twice',
    },
    {
      name: 'the whole file being a list',
      text: '- rules\n',
      message: 'config.yaml:1:1: must be a mapping (got a list)',
    },
    {
      name: 'a baseline policy whose name no NetworkPolicy can have',
      text: 'networkBaseline:\n  policies:\n    - name: Default_Deny\n      spec: {podSelector: {}}\n',
      message:
        'config.yaml:3:13: networkBaseline.policies[0].name: must be a NetworkPolicy name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (got "Default_Deny")',
    },
    {
      name: 'a baseline policy without a podSelector',
      text: 'networkBaseline:\n  policies:\n    - name: deny\n      spec: {policyTypes: [Ingress]}\n',
      message: 'config.yaml:4:13: networkBaseline.policies[0].spec: missing required key "podSelector"',
    },
    {
      name: 'a misspelt key in a baseline policy spec',
      text: 'networkBaseline:\n  policies:\n    - name: deny\n      spec:\n        podSelector: {}\n        policyType: [Ingress]\n',
      message: 'config.yaml:6:9: networkBaseline.policies[0].spec.policyType: unknown key (expected one of podSelector, policyTypes, ingress, egress)',
    },
    {
      name: 'two baseline policies of one name',
      text: 'networkBaseline:\n  policies:\n    - {name: deny, spec: {podSelector: {}}}\n    - {name: deny, spec: {podSelector: {}}}\n',
      message: 'config.yaml:4:14: networkBaseline.policies[1].name: must be unique: "deny" is already policies[0]',
    },
    {
      name: 'a baseline policy that policygate itself would refuse',
      text: 'networkBaseline:\n  policies:\n    - name: open\n      spec:\n        podSelector: {}\n        ingress:\n          - {}\n',
      message:
        'config.yaml:7:13: networkBaseline.policies[0].spec.ingress[0]: policygate\'s own network-policy-allow-all/allow-all-ingress would refuse this policy: ' +
        'ingress rule admits every source on every port (no "from"; no "ports"); narrow "from" to the pods, namespaces or CIDRs that need access and list their "ports"',
    },
  ])('refuses $name', ({ text, message }) => {
    expect(refusal(text)).toBe(message);
  });

  it.each([
    {
      name: 'an invalid regular expression',
      label: '{key: cost-center, pattern: "[0-9"}',
      message: 'config.yaml:4:37: rules.namespace-required-labels.labels[0].pattern: must be a regular expression in RE2 syntax (got "[0-9": missing closing ]: `[0-9`)',
    },
    {
      name: 'a lookahead, which RE2 has not (it cannot match in linear time)',
      label: '{key: cost-center, pattern: "(?=[0-9]{4})[0-9]+"}',
      message:
        'config.yaml:4:37: rules.namespace-required-labels.labels[0].pattern: must be a regular expression in RE2 syntax (got "(?=[0-9]{4})[0-9]+": invalid or unsupported Perl syntax: `(?=`)',
    },
    {
      name: 'a backreference, which RE2 has not',
      label: '{key: tier, pattern: "(a)\\\\1"}',
      message: 'config.yaml:4:30: rules.namespace-required-labels.labels[0].pattern: must be a regular expression in RE2 syntax (got "(a)\\\\1": invalid escape sequence: `\\1`)',
    },
    {
      name: 'a default that is not one of the values',
      label: '{key: environment, values: [dev, prod], default: qa}',
      message: 'config.yaml:4:58: rules.namespace-required-labels.labels[0].default: must be one of the label\'s values dev, prod (got "qa")',
    },
    {
      name: 'a default that does not match the pattern',
      label: '{key: cost-center, pattern: "[0-9]{4}", default: "12345"}',
      message:
        'config.yaml:4:58: rules.namespace-required-labels.labels[0].default: must match the label\'s pattern "[0-9]{4}" over the whole value (got "12345")',
    },
    {
      name: 'values and a pattern together',
      label: '{key: tier, values: [web], pattern: "web|db"}',
      message:
        'config.yaml:4:45: rules.namespace-required-labels.labels[0].pattern: must not be given together with values: give the allowed values or a pattern, not both',
    },
    {
      name: 'a label key Kubernetes would refuse',
      label: '{key: "cost center"}',
      message:
        'config.yaml:4:15: rules.namespace-required-labels.labels[0].key: must be a label key: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit, optionally after a DNS subdomain prefix and "/" (got "cost center")',
    },
    {
      name: 'a default Kubernetes would refuse as a label value',
      label: '{key: owner, default: "platform team"}',
      message:
        'config.yaml:4:31: rules.namespace-required-labels.labels[0].default: must be a label value: up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (got "platform team")',
    },
  ])('refuses $name', ({ label, message }) => {
    expect(refusal(`rules:\n  namespace-required-labels:\n    labels:\n      - ${label}\n`)).toBe(message);
  });

  it('refuses a label key listed twice, naming the first', () => {
    expect(refusal('rules:\n  namespace-required-labels:\n    labels:\n      - key: team\n      - key: owner\n      - key: team\n')).toBe(
      'config.yaml:6:14: rules.namespace-required-labels.labels[2].key: must be unique: label "team" is already listed at labels[0]',
    );
  });

  it('does not fault a field twice', () => {
    expect(refusal('rules:\n  namespace-required-labels:\n    labels:\n      - key: ""\n')).toBe(
      'config.yaml:4:14: rules.namespace-required-labels.labels[0].key: must not be empty',
    );
  });

  it('lists every problem, in the order of the file, the first as the error location', () => {
    let error: InputError | undefined;
    try {
      parseConfig('mutations:\n  podSecurityContextDefaults: 1\nrules:\n  pod-security:\n    mode: strict\n    exemptionz: {}\n', 'cfg/policy.yaml');
    } catch (caught) {
      error = caught as InputError;
    }
    expect(error?.location).toBe('cfg/policy.yaml:2:31');
    expect(error?.message).toBe(
      [
        'cfg/policy.yaml:2:31: mutations.podSecurityContextDefaults: must be true or false (got 1)',
        'cfg/policy.yaml:5:11: rules.pod-security.mode: must be one of enforce, warn, audit, off (got "strict")',
        'cfg/policy.yaml:6:5: rules.pod-security.exemptionz: unknown key (expected one of mode, checks, exemptNamespaces, defaults, exemptions)',
      ].join('\n'),
    );
  });

  it.each([
    { name: 'a bad indentation', text: 'rules:\n  a: 1\n   b: 2\n', message: 'config.yaml:2:6: invalid YAML: Nested mappings are not allowed in compact mappings' },
    { name: 'a duplicate key', text: 'rules:\n  pod-security: {}\n  pod-security: {}\n', message: 'config.yaml:3:3: invalid YAML: Map keys must be unique' },
    { name: 'an unclosed flow sequence', text: 'rules:\n  pod-security:\n    exemptNamespaces: [a, b\n', message: 'config.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]' },
    { name: 'two documents', text: 'rules: {}\n---\nrules: {}\n', message: 'config.yaml:2:1: invalid YAML: Source contains multiple documents; please use YAML.parseAllDocuments()' },
  ])('refuses malformed YAML: $name, with the line and column', ({ text, message }) => {
    expect(refusal(text)).toBe(message);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'policygate-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and validates a file', async () => {
    const file = join(dir, 'good.yaml');
    await writeFile(file, FULL_EXAMPLE);
    expect((await loadConfig(file)).rules['namespace-required-labels'].labels).toHaveLength(3);
  });

  it('names the file in a validation error', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'rules:\n  pod-security:\n    mode: on\n');
    await expect(loadConfig(file)).rejects.toThrow(`${file}:3:11: rules.pod-security.mode: must be one of enforce, warn, audit, off (got "on")`);
  });

  it('refuses a missing file, or a directory, with an input error naming it', async () => {
    const missing = join(dir, 'missing.yaml');
    await expect(loadConfig(missing)).rejects.toThrow(new InputError('cannot read the configuration file: no such file', missing));
    await expect(loadConfig(missing)).rejects.toMatchObject({ exitCode: EXIT.input, location: missing });
    await expect(loadConfig(dir)).rejects.toThrow(`${dir}: cannot read the configuration file: is a directory, not a file`);
  });
});
