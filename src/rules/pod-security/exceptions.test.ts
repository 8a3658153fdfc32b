// Exceptions inside the Pod Security evaluation: a check excepted whole, or narrowed to containers so
// that what remains is refused with PSA's exact wording over the remaining containers; pod-level
// fields never excepted by a narrowed exception; denials excepted without silencing the warnings; a
// workload template and its pods alike.
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/config.js';
import { evaluateObject } from '../evaluate.js';
import { podSecurity } from '../pod-security.js';
import type { ExceptionConfig, ExceptionMatch, KubeObject } from '../types.js';

const NOW = Date.parse('2027-03-15T12:00:00Z');
const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' };

function exception(name: string, checks: string[], match: ExceptionMatch = {}, extra: Partial<ExceptionConfig> = {}): ExceptionConfig {
  return { name, reason: 'because', match, checks, ...extra };
}

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'agent-x', namespace: 'monitoring', ...metadata }, spec };
}

/** A restricted pod, but for what `container` changes. */
function container(name: string, securityContext: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    image: `registry.example.com/${name}:1.0`,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, ...securityContext },
    ...extra,
  };
}

interface Judged {
  /** `mode check: message [paths]` of what is enforced, warned about or audited. */
  findings: string[];
  /** `exception check: message [paths]` of what was excepted. */
  excepted: string[];
}

/** What evaluateObject finds in these modes (enforce only, unless asked), with these exceptions and namespace labels. */
function judge(
  object: KubeObject,
  exceptions: ExceptionConfig[],
  labels: Record<string, string> = RESTRICTED,
  options: { modes?: string[]; now?: number | undefined } = {},
): Judged {
  const config = testConfig({ exceptions });
  const now = 'now' in options ? options.now : NOW;
  const modes = options.modes ?? ['enforce'];
  const evaluation = evaluateObject(object, { config, operation: 'CREATE', namespace: { name: 'monitoring', labels }, now }, [podSecurity]);
  return {
    findings: evaluation.findings.filter((finding) => modes.includes(finding.mode)).map((finding) => `${finding.mode} ${finding.check}: ${finding.message} [${finding.paths.join(' ')}]`),
    excepted: evaluation.excepted.filter((finding) => modes.includes(finding.mode)).map((finding) => `${finding.exception} ${finding.check}: ${finding.message} [${finding.paths.join(' ')}]`),
  };
}

const AGENT_RUN_AS_NON_ROOT = exception('agent-root', ['pod-security/runAsNonRoot'], { containers: ['agent'] });

describe('an exception narrowed to containers: PSA\'s message over the containers that remain', () => {
  it('runAsNonRoot excepted for agent still refuses the sidecar that does not set it, in PSA\'s words', () => {
    const object = pod({ containers: [container('agent', { runAsNonRoot: false }), container('sidecar', { runAsNonRoot: undefined })] });
    expect(judge(object, []).findings).toEqual([
      'enforce runAsNonRoot: runAsNonRoot != true (container "agent" must not set securityContext.runAsNonRoot=false) [spec.containers[0].securityContext.runAsNonRoot]',
    ]);
    expect(judge(object, [AGENT_RUN_AS_NON_ROOT])).toEqual({
      findings: [
        'enforce runAsNonRoot: runAsNonRoot != true (pod or container "sidecar" must set securityContext.runAsNonRoot=true) [spec.securityContext.runAsNonRoot spec.containers[1].securityContext.runAsNonRoot]',
      ],
      excepted: ['agent-root runAsNonRoot: runAsNonRoot != true (container "agent" must not set securityContext.runAsNonRoot=false) [spec.containers[0].securityContext.runAsNonRoot]'],
    });
  });

  it('both containers set runAsNonRoot=false: the sidecar alone is named', () => {
    const object = pod({ containers: [container('agent', { runAsNonRoot: false }), container('sidecar', { runAsNonRoot: false })] });
    expect(judge(object, [AGENT_RUN_AS_NON_ROOT])).toEqual({
      findings: ['enforce runAsNonRoot: runAsNonRoot != true (container "sidecar" must not set securityContext.runAsNonRoot=false) [spec.containers[1].securityContext.runAsNonRoot]'],
      excepted: [
        'agent-root runAsNonRoot: runAsNonRoot != true (containers "agent", "sidecar" must not set securityContext.runAsNonRoot=false) [spec.containers[0].securityContext.runAsNonRoot]',
      ],
    });
  });

  it('the pod-level field is never excepted by a narrowed exception', () => {
    const object = pod({ securityContext: { runAsNonRoot: false }, containers: [container('agent', { runAsNonRoot: false })] });
    expect(judge(object, [AGENT_RUN_AS_NON_ROOT])).toEqual({
      findings: ['enforce runAsNonRoot: runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false) [spec.securityContext.runAsNonRoot]'],
      excepted: [
        'agent-root runAsNonRoot: runAsNonRoot != true (pod and container "agent" must not set securityContext.runAsNonRoot=false) [spec.containers[0].securityContext.runAsNonRoot]',
      ],
    });
  });

  it('every offending container excepted: the check passes, the pod is allowed', () => {
    const object = pod({ containers: [container('agent', { runAsNonRoot: false }), container('sidecar')] });
    expect(judge(object, [AGENT_RUN_AS_NON_ROOT])).toEqual({
      findings: [],
      excepted: ['agent-root runAsNonRoot: runAsNonRoot != true (container "agent" must not set securityContext.runAsNonRoot=false) [spec.containers[0].securityContext.runAsNonRoot]'],
    });
  });

  it('by image: privileged excepted for the vendor\'s image only', () => {
    const vendor = exception('vendor-privileged', ['pod-security/privileged'], { images: ['registry.example.com/agent:*'] });
    const object = pod({ containers: [container('agent', { privileged: true }), container('sidecar', { privileged: true })] });
    expect(judge(object, [vendor])).toEqual({
      findings: ['enforce privileged: privileged (container "sidecar" must not set securityContext.privileged=true) [spec.containers[1].securityContext.privileged]'],
      excepted: ['vendor-privileged privileged: privileged (containers "agent", "sidecar" must not set securityContext.privileged=true) [spec.containers[0].securityContext.privileged]'],
    });
  });

  it('containers and images together: both must match the container', () => {
    const both = exception('both', ['pod-security/privileged'], { containers: ['agent'], images: ['other/*'] });
    const object = pod({ containers: [container('agent', { privileged: true })] });
    expect(judge(object, [both])).toEqual({
      findings: ['enforce privileged: privileged (container "agent" must not set securityContext.privileged=true) [spec.containers[0].securityContext.privileged]'],
      excepted: [],
    });
  });

  it('hostPorts: singular and plural as PSA words them, ports of the remaining containers', () => {
    const object = pod({
      containers: [container('agent', {}, { ports: [{ containerPort: 80, hostPort: 80 }] }), container('web', {}, { ports: [{ containerPort: 8080, hostPort: 8080 }, { containerPort: 9090, hostPort: 9090 }] })],
    });
    expect(judge(object, []).findings).toEqual([
      'enforce hostPorts: hostPort (containers "agent", "web" use hostPorts 80, 8080, 9090) [spec.containers[0].ports[0].hostPort spec.containers[1].ports[0].hostPort spec.containers[1].ports[1].hostPort]',
    ]);
    expect(judge(object, [exception('agent-port', ['pod-security/hostPorts'], { containers: ['agent'] })]).findings).toEqual([
      'enforce hostPorts: hostPort (container "web" uses hostPorts 8080, 9090) [spec.containers[1].ports[0].hostPort spec.containers[1].ports[1].hostPort]',
    ]);
  });

  it('capabilities_restricted: both parts of the detail narrowed', () => {
    const object = pod({
      containers: [
        container('agent', { capabilities: { add: ['NET_ADMIN'] } }),
        container('sidecar', { capabilities: { add: ['SYS_TIME'], drop: ['ALL'] } }),
      ],
    });
    expect(judge(object, [exception('agent-caps', ['pod-security/capabilities_restricted'], { containers: ['agent'] })])).toEqual({
      findings: [
        'enforce capabilities_restricted: unrestricted capabilities (container "sidecar" must not include "SYS_TIME" in securityContext.capabilities.add) [spec.containers[1].securityContext.capabilities.add]',
      ],
      excepted: [
        'agent-caps capabilities_restricted: unrestricted capabilities (container "agent" must set securityContext.capabilities.drop=["ALL"]; containers "agent", "sidecar" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add) [spec.containers[0].securityContext.capabilities.drop spec.containers[0].securityContext.capabilities.add]',
      ],
    });
  });

  it('init and ephemeral containers keep their indexes: the paths still point at the right fields', () => {
    const object = pod({
      initContainers: [container('agent-init', { privileged: true }), container('setup', { privileged: true })],
      containers: [container('app')],
      ephemeralContainers: [container('debug', { privileged: true })],
    });
    expect(judge(object, [exception('agent', ['pod-security/privileged'], { containers: ['agent-*'] })]).findings).toEqual([
      'enforce privileged: privileged (containers "setup", "debug" must not set securityContext.privileged=true) [spec.initContainers[1].securityContext.privileged spec.ephemeralContainers[0].securityContext.privileged]',
    ]);
  });

  it('a container\'s AppArmor annotation goes with the container', () => {
    const object = pod(
      { containers: [container('agent'), container('web')] },
      { annotations: { 'container.apparmor.security.beta.kubernetes.io/agent': 'unconfined', 'container.apparmor.security.beta.kubernetes.io/web': 'unconfined' } },
    );
    expect(judge(object, [exception('agent-apparmor', ['pod-security/appArmorProfile'], { containers: ['agent'] })])).toEqual({
      findings: [
        'enforce appArmorProfile: forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/web="unconfined"") [metadata.annotations["container.apparmor.security.beta.kubernetes.io/web"]]',
      ],
      excepted: [
        'agent-apparmor appArmorProfile: forbidden AppArmor profiles (annotations must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/agent="unconfined"", "container.apparmor.security.beta.kubernetes.io/web="unconfined"") [metadata.annotations["container.apparmor.security.beta.kubernetes.io/agent"]]',
      ],
    });
  });

  it('two exceptions, two containers: each container\'s field under its own exception', () => {
    const object = pod({ containers: [container('agent', { privileged: true }), container('sidecar', { privileged: true })] });
    const result = judge(object, [exception('a', ['pod-security/privileged'], { containers: ['agent'] }), exception('s', ['pod-security/privileged'], { containers: ['sidecar'] })]);
    expect(result.findings).toEqual([]);
    expect(result.excepted.map((line) => line.replace(/:.* \[/, ' ['))).toEqual(['a privileged [spec.containers[0].securityContext.privileged]', 's privileged [spec.containers[1].securityContext.privileged]']);
  });

  it('a narrowed pod-security/* leaves the checks of pod-level fields alone', () => {
    const object = pod({ hostNetwork: true, containers: [container('agent', { privileged: true })] });
    expect(judge(object, [exception('agent-all', ['pod-security/*'], { containers: ['agent'] })], { 'pod-security.kubernetes.io/enforce': 'baseline' }).findings).toEqual([
      'enforce hostNamespaces: host namespaces (hostNetwork=true) [spec.hostNetwork]',
    ]);
  });
});

describe('an exception without containers: the check excepted whole', () => {
  it('hostPathVolumes of the node agent', () => {
    const object = pod({ containers: [container('agent')], volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] });
    expect(judge(object, [exception('node-agent-hostpath', ['pod-security/hostPathVolumes'])], { 'pod-security.kubernetes.io/enforce': 'baseline' })).toEqual({
      findings: [],
      excepted: ['node-agent-hostpath hostPathVolumes: hostPath volumes (volume "logs") [spec.volumes[0].hostPath]'],
    });
  });

  it('an excepted denial does not silence the warnings PSA would give', () => {
    const object = pod({ containers: [{ name: 'agent', image: 'nginx', securityContext: { privileged: true } }] });
    // The default policy: enforce baseline, warn and audit restricted.
    const modes = ['enforce', 'warn'];
    const before = judge(object, [], {}, { modes });
    expect(before.findings.map((line) => line.split(':')[0])).toEqual(['enforce privileged']);
    const after = judge(object, [exception('privileged-agent', ['pod-security/privileged'])], {}, { modes });
    expect(after.findings.map((line) => line.split(':')[0])).toEqual([
      'warn allowPrivilegeEscalation',
      'warn capabilities_restricted',
      'warn runAsNonRoot',
      'warn seccompProfile_restricted',
    ]);
    // Excepted at baseline (enforce) and at restricted (warn), where privileged is checked too.
    expect(after.excepted.map((line) => line.split(':')[0])).toEqual(['privileged-agent privileged', 'privileged-agent privileged']);
  });

  it('an expired exception excepts nothing; nor does one whose clock is missing', () => {
    const object = pod({ containers: [container('agent', { privileged: true })] });
    const expired = exception('old', ['pod-security/privileged'], {}, { expires: '2027-03-14' });
    expect(judge(object, [expired])).toEqual(judge(object, []));
    expect(judge(object, [exception('later', ['pod-security/privileged'], {}, { expires: '2099-01-01' })], RESTRICTED, { now: undefined })).toEqual(judge(object, []));
    expect(judge(object, [exception('later', ['pod-security/privileged'], {}, { expires: '2099-01-01' })]).excepted).toHaveLength(1);
  });
});

describe('a workload and the pods it creates match the same exception', () => {
  const spec = { containers: [container('agent', { runAsNonRoot: false }), container('sidecar', { runAsNonRoot: false })] };
  const byWorkload = exception('agent-root', ['pod-security/runAsNonRoot'], { kinds: ['Deployment'], names: ['node-agent'], containers: ['agent'] });
  const deployment: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'node-agent', namespace: 'monitoring' }, spec: { template: { metadata: {}, spec } } };
  const replicaSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'node-agent-5d8f7', namespace: 'monitoring', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'node-agent', uid: 'd', controller: true }] },
    spec: { template: { metadata: {}, spec } },
  };
  const podOfIt = pod(spec, {
    name: 'node-agent-5d8f7-xq2lp',
    labels: { 'pod-template-hash': '5d8f7' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'node-agent-5d8f7', uid: 'r', controller: true }],
  });
  const strayPod = pod(spec, { name: 'node-agent-5d8f7-xq2lp' });

  it.each([
    ['the Deployment', deployment, 'spec.template.spec'],
    ['its ReplicaSet', replicaSet, 'spec.template.spec'],
    ['its pod', podOfIt, 'spec'],
  ])('%s: sidecar refused, agent excepted', (_name, object, prefix) => {
    expect(judge(object, [byWorkload])).toEqual({
      findings: [`enforce runAsNonRoot: runAsNonRoot != true (container "sidecar" must not set securityContext.runAsNonRoot=false) [${prefix}.containers[1].securityContext.runAsNonRoot]`],
      excepted: [
        `agent-root runAsNonRoot: runAsNonRoot != true (containers "agent", "sidecar" must not set securityContext.runAsNonRoot=false) [${prefix}.containers[0].securityContext.runAsNonRoot]`,
      ],
    });
  });

  it('a pod that is not the workload\'s gets no exception', () => {
    expect(judge(strayPod, [byWorkload]).excepted).toEqual([]);
  });
});

describe('the Namespace check of pod-security', () => {
  it('namespaceLabels excepted for one namespace', () => {
    const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } };
    const config = testConfig({ exceptions: [exception('legacy-labels', ['pod-security/namespaceLabels'], { namespaces: ['legacy'] })] });
    const evaluation = evaluateObject(namespace, { config, operation: 'CREATE', now: NOW }, [podSecurity]);
    expect(evaluation.findings).toEqual([]);
    expect(evaluation.excepted.map((finding) => `${finding.exception} ${finding.check}`)).toEqual(['legacy-labels namespaceLabels']);
  });
});
