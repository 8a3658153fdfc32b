// The `exceptions` list as the loader reads it: what loads, and every kind of bad entry refused with
// its file, line, column, key path and exact message.
import { describe, expect, it } from 'vitest';
import { EXIT, InputError } from '../errors.js';
import { parseConfig } from './load.js';

function refusal(text: string): string {
  try {
    parseConfig(text, 'config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(EXIT.input);
    return (error as InputError).message;
  }
  throw new Error('expected the configuration to be refused');
}

/** One exception with these lines (indented under `- `) in an otherwise valid file. */
function withException(lines: string): string {
  return `exceptions:\n  - ${lines.trim().split('\n').join('\n    ')}\n`;
}

const VALID = `
name: node-agent-hostpath
reason: "vendor agent reads /var/log until v5 (OPS-1234)"
expires: 2027-03-31
match:
  namespaces: [monitoring]
  kinds: [DaemonSet]
  names: ["node-agent*"]
checks: [pod-security/hostPathVolumes, pod-security/runAsNonRoot]`;

describe('exceptions in the configuration', () => {
  it('loads the shape of the issue, and is empty by default', () => {
    expect(parseConfig('', 'config.yaml').exceptions).toEqual([]);
    expect(parseConfig(withException(VALID), 'config.yaml').exceptions).toEqual([
      {
        name: 'node-agent-hostpath',
        reason: 'vendor agent reads /var/log until v5 (OPS-1234)',
        expires: '2027-03-31',
        match: { namespaces: ['monitoring'], kinds: ['DaemonSet'], names: ['node-agent*'] },
        checks: ['pod-security/hostPathVolumes', 'pod-security/runAsNonRoot'],
      },
    ]);
  });

  it.each([
    ['an RFC 3339 time with an offset', 'expires: 2027-03-31T18:00:00+02:00'],
    ['an RFC 3339 time with a fraction', 'expires: 2027-03-31t18:00:00.250Z'],
    ['containers and images for pod-security/*', 'match: {containers: ["agent-*"], images: ["registry.example.com/agent@sha256:*"]}'],
    ['an empty match (every object)', 'match: {}'],
    ['every check of a rule', 'checks: [network-policy-allow-all/*]'],
    ['a glob of stars only', 'match: {namespaces: ["*"], names: ["**"]}'],
  ])('loads %s', (_name, line) => {
    const [key] = line.split(':');
    const base = `name: x\nreason: y\nmatch: {}\nchecks: [pod-security/*]`.split('\n').filter((entry) => !entry.startsWith(`${key}:`));
    expect(() => parseConfig(withException([...base, line].join('\n')), 'config.yaml')).not.toThrow();
  });

  it.each([
    {
      name: 'an unknown key',
      entry: 'name: x\nreason: y\nmatch: {}\nchecks: [pod-security/*]\nexpiry: 2027-01-01',
      message: 'config.yaml:6:5: exceptions[0].expiry: unknown key (expected one of name, reason, expires, match, checks)',
    },
    {
      name: 'an unknown key under match',
      entry: 'name: x\nreason: y\nmatch: {namespace: [a]}\nchecks: [pod-security/*]',
      message: 'config.yaml:4:13: exceptions[0].match.namespace: unknown key (expected one of namespaces, kinds, names, containers, images)',
    },
    { name: 'a missing reason', entry: 'name: x\nmatch: {}\nchecks: [pod-security/*]', message: 'config.yaml:2:5: exceptions[0]: missing required key "reason"' },
    { name: 'a missing match', entry: 'name: x\nreason: y\nchecks: [pod-security/*]', message: 'config.yaml:2:5: exceptions[0]: missing required key "match"' },
    { name: 'an empty reason', entry: 'name: x\nreason: ""\nmatch: {}\nchecks: [pod-security/*]', message: 'config.yaml:3:13: exceptions[0].reason: must not be empty' },
    {
      name: 'a blank reason',
      entry: 'name: x\nreason: "   "\nmatch: {}\nchecks: [pod-security/*]',
      message: 'config.yaml:3:13: exceptions[0].reason: must not be blank: say why the exception exists, and until when',
    },
    {
      name: 'a date that does not exist',
      entry: 'name: x\nreason: y\nexpires: 2027-02-30\nmatch: {}\nchecks: [pod-security/*]',
      message:
        'config.yaml:4:14: exceptions[0].expires: must be a date (2027-03-31, valid through that day, UTC) or an RFC 3339 time (2027-03-31T18:00:00Z) (got "2027-02-30")',
    },
    {
      name: 'a time without a zone',
      entry: 'name: x\nreason: y\nexpires: 2027-03-31T18:00:00\nmatch: {}\nchecks: [pod-security/*]',
      message:
        'config.yaml:4:14: exceptions[0].expires: must be a date (2027-03-31, valid through that day, UTC) or an RFC 3339 time (2027-03-31T18:00:00Z) (got "2027-03-31T18:00:00")',
    },
    {
      name: 'a date in another order',
      entry: 'name: x\nreason: y\nexpires: 31/03/2027\nmatch: {}\nchecks: [pod-security/*]',
      message:
        'config.yaml:4:14: exceptions[0].expires: must be a date (2027-03-31, valid through that day, UTC) or an RFC 3339 time (2027-03-31T18:00:00Z) (got "31/03/2027")',
    },
    {
      name: 'a year alone',
      entry: 'name: x\nreason: y\nexpires: 2027\nmatch: {}\nchecks: [pod-security/*]',
      message: 'config.yaml:4:14: exceptions[0].expires: must be a string (got 2027; quote it to keep it as text)',
    },
    {
      name: 'a name that is not an identifier',
      entry: 'name: Node Agent\nreason: y\nmatch: {}\nchecks: [pod-security/*]',
      message:
        'config.yaml:2:11: exceptions[0].name: must be a name of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 63 characters (e.g. "node-agent-hostpath") (got "Node Agent")',
    },
    {
      name: 'a check without its rule',
      entry: 'name: x\nreason: y\nmatch: {}\nchecks: [privileged]',
      message: 'config.yaml:5:14: exceptions[0].checks[0]: must be rule/check or rule/* (e.g. pod-security/hostPathVolumes) (got "privileged")',
    },
    {
      name: 'an unknown rule',
      entry: 'name: x\nreason: y\nmatch: {}\nchecks: [pod-securty/privileged]',
      message: 'config.yaml:5:14: exceptions[0].checks[0]: unknown rule "pod-securty" (expected one of namespace-required-labels, network-isolation, network-policy-allow-all, pod-security)',
    },
    {
      name: 'an unknown check',
      entry: 'name: x\nreason: y\nmatch: {}\nchecks: [network-policy-allow-all/allow-all]',
      message:
        'config.yaml:5:14: exceptions[0].checks[0]: unknown check "allow-all" of network-policy-allow-all (expected * or one of allow-all-ingress, allow-all-egress, allow-all-cluster-ingress, allow-all-cluster-egress)',
    },
    {
      name: 'policy-label-guard',
      entry: 'name: x\nreason: y\nmatch: {}\nchecks: [policy-label-guard/*]',
      message:
        'config.yaml:5:14: exceptions[0].checks[0]: policy-label-guard can never be excepted: it decides who may relax a namespace\'s enforcement, and an exception would be a way around that (got "policy-label-guard/*")',
    },
    { name: 'no checks', entry: 'name: x\nreason: y\nmatch: {}\nchecks: []', message: 'config.yaml:5:13: exceptions[0].checks: must not be an empty list' },
    {
      name: 'an empty list of namespaces (which matches nothing)',
      entry: 'name: x\nreason: y\nmatch: {namespaces: []}\nchecks: [pod-security/*]',
      message: 'config.yaml:4:25: exceptions[0].match.namespaces: must not be an empty list',
    },
    {
      name: 'a namespace glob with characters no namespace name holds',
      entry: 'name: x\nreason: y\nmatch: {namespaces: ["Team_A*"]}\nchecks: [pod-security/*]',
      message:
        'config.yaml:4:26: exceptions[0].match.namespaces[0]: must be a namespace name or a * glob of one (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters); "Team_A*" can never match one',
    },
    {
      name: 'a namespace glob that must end with a dash',
      entry: 'name: x\nreason: y\nmatch: {namespaces: ["team-*-"]}\nchecks: [pod-security/*]',
      message:
        'config.yaml:4:26: exceptions[0].match.namespaces[0]: must be a namespace name or a * glob of one (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters); "team-*-" can never match one',
    },
    {
      name: 'a name glob with a space',
      entry: 'name: x\nreason: y\nmatch: {names: ["node agent*"]}\nchecks: [pod-security/*]',
      message:
        'config.yaml:4:21: exceptions[0].match.names[0]: must be an object name or a * glob of one (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters); "node agent*" can never match one',
    },
    {
      name: 'a container glob with a dot',
      entry: 'name: x\nreason: y\nmatch: {containers: ["agent.v2"]}\nchecks: [pod-security/runAsNonRoot]',
      message:
        'config.yaml:4:26: exceptions[0].match.containers[0]: must be a container name or a * glob of one (lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters); "agent.v2" can never match one',
    },
    {
      name: 'an image glob with a space',
      entry: 'name: x\nreason: y\nmatch: {images: ["registry.example.com/agent *"]}\nchecks: [pod-security/runAsNonRoot]',
      message:
        'config.yaml:4:22: exceptions[0].match.images[0]: must be an image reference or a * glob of one (letters, digits, ".", "_", "-", "/", ":" and "@"); "registry.example.com/agent *" can never match one',
    },
    {
      name: 'a kind the rule does not judge',
      entry: 'name: x\nreason: y\nmatch: {kinds: [Service]}\nchecks: [pod-security/*]',
      message:
        'config.yaml:4:21: exceptions[0].match.kinds[0]: must be a kind that pod-security judges: Pod, PodTemplate, ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, Namespace (got "Service")',
    },
    {
      name: 'a kind written in lower case',
      entry: 'name: x\nreason: y\nmatch: {kinds: [networkpolicy]}\nchecks: [network-policy-allow-all/*]',
      message:
        'config.yaml:4:21: exceptions[0].match.kinds[0]: must be a kind that network-policy-allow-all judges: NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, GlobalNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy (got "networkpolicy")',
    },
    {
      name: 'containers for a rule that judges none',
      entry: 'name: x\nreason: y\nmatch: {containers: [agent]}\nchecks: [pod-security/privileged, network-policy-allow-all/*]',
      message:
        'config.yaml:4:25: exceptions[0].match.containers: only pod-security judges containers, and this exception also lists network-policy-allow-all/*: give those checks an exception of their own',
    },
    {
      name: 'images for a check of pod-level fields',
      entry: 'name: x\nreason: y\nmatch: {images: ["vendor/*"]}\nchecks: [pod-security/runAsNonRoot, pod-security/hostPathVolumes]',
      message:
        'config.yaml:5:41: exceptions[0].checks[1]: pod-security/hostPathVolumes judges pod-level fields only, which an exception narrowed by match.images never excepts: give it an exception without them',
    },
  ])('refuses $name', ({ entry, message }) => {
    expect(refusal(withException(entry))).toBe(message);
  });

  it('refuses a name listed twice, naming the first', () => {
    const entry = 'name: x\n    reason: y\n    match: {}\n    checks: [pod-security/*]';
    expect(refusal(`exceptions:\n  - ${entry}\n  - ${entry}\n`)).toBe('config.yaml:6:11: exceptions[1].name: must be unique: exception "x" is already listed at exceptions[0]');
  });

  it('loads an exception that has expired: it stops applying, it is not an error', () => {
    const config = parseConfig(withException('name: x\nreason: y\nexpires: 2001-01-01\nmatch: {}\nchecks: [pod-security/*]'), 'config.yaml');
    expect(config.exceptions[0]?.expires).toBe('2001-01-01');
  });
});
