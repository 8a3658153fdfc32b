// deploy/ rendered as `kubectl apply -k` would apply it, checked against the code it deploys: no webhook
// configuration is applied (the server registers them once ready), and what the Deployment's flags make
// it register calls the Service, on routes the server has, never in its own namespace; the Deployment's
// flags, ports, probes and mounts line up with one another and with `policygate serve`; the RBAC grants
// exactly what the code uses.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_LEASE_NAME, AUDIT_WORKER_HEAP, parseAuditInterval } from '../../src/audit/periodic.js';
import { REPORT_APIS } from '../../src/audit/reports/report-api.js';
import { AUDITED_RESOURCES } from '../../src/audit/resources.js';
import { serviceDnsNames } from '../../src/certs/index.js';
import { excludedNamespacesFlag, failurePolicyFlag, serviceFlag } from '../../src/cli/webhook-flags.js';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default-config.js';
import { DEFAULT_CONFIG, parseConfig } from '../../src/config/load.js';
import { WEBHOOK_OWNER_CLUSTER_ROLE } from '../../src/kube/index.js';
import { POLICY_LABEL_CLUSTER_ROLE, POLICY_LABEL_PERMISSION } from '../../src/rules/policy-label-guard.js';
import { RULES } from '../../src/rules/registry.js';
import type { ResourceKind } from '../../src/rules/types.js';
import { buildApp } from '../../src/server/app.js';
import { ALWAYS_EXCLUDED_NAMESPACES, WEBHOOK_CONFIGURATION_NAME, webhookConfigurations, type WebhookConfiguration } from '../../src/webhooks/configurations.js';
import { DEPLOY, REPO, all, copyOfDeploy, deployWithCertificates, kustomize, kustomizeText, one, type Manifest } from './render.js';

/** Kubernetes' own guess from a kind to its resource name (meta.UnsafeGuessKindToResource); right for every kind here. */
function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

const key = (group: string, resource: string) => `${group === '' ? 'core' : group}/${resource}`;
const keysOf = (kinds: readonly ResourceKind[]) => new Set(kinds.map((kind) => key(kind.group, resourceOf(kind.kind))));

/** Every value of a repeatable flag. */
function allOf(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, index) => (arg === flag && args[index + 1] !== undefined ? [args[index + 1] as string] : []));
}

/**
 * What a Deployment's container registers once ready: `--register-webhooks` and its flags, read as
 * `policygate serve` reads them (the namespace of a bare Service name is the pod's own), made by the
 * same code. The caBundle is left out: it is the mounted Secret's ca.crt, checked per overlay.
 */
function registeredBy(deployment: Manifest): WebhookConfiguration[] {
  const [container] = deployment.spec.template.spec.containers as Manifest[];
  const args = container?.args as string[];
  const service = allOf(args, '--register-webhooks');
  expect(service, '--register-webhooks').toHaveLength(1);
  return webhookConfigurations({
    service: serviceFlag('register-webhooks', service[0] as string, deployment.metadata.namespace),
    failurePolicy: failurePolicyFlag({ 'failure-policy': allOf(args, '--failure-policy').at(-1) }),
    excludedNamespaces: excludedNamespacesFlag({ 'exclude-namespace': allOf(args, '--exclude-namespace') }),
  });
}

/** `--flag value` pairs of a container's args. */
function flags(args: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  args.forEach((arg, index) => {
    const next = args[index + 1];
    if (arg.startsWith('--') && next !== undefined && !next.startsWith('--')) result.set(arg, next);
  });
  return result;
}

function mountHolding(container: Manifest, file: string): { name: string; mountPath: string; subPath?: string } {
  const mount = (container.volumeMounts as { name: string; mountPath: string; subPath?: string }[]).find((candidate) => file.startsWith(`${candidate.mountPath}/`));
  if (!mount) throw new Error(`no volume is mounted where ${file} is`);
  return mount;
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([name, value]) => labels[name] === value);
}

let app: FastifyInstance;
let selfManaged: Awaited<ReturnType<typeof deployWithCertificates>>;
const renders = new Map<string, Manifest[]>();

beforeAll(async () => {
  app = buildApp({ config: DEFAULT_CONFIG });
  await app.ready();
  selfManaged = await deployWithCertificates();
  renders.set('base', kustomize(join(DEPLOY, 'base')));
  renders.set('cert-manager', kustomize(join(DEPLOY, 'overlays', 'cert-manager')));
  renders.set('self-managed', kustomize(selfManaged.selfManaged));
});

afterAll(async () => {
  await app?.close();
  await selfManaged?.remove();
});

const rendered = (name: string): Manifest[] => {
  const objects = renders.get(name);
  if (!objects) throw new Error(`${name} did not render`);
  return objects;
};

describe('deploy/base', () => {
  it('applies no webhook configuration: the server registers them once a replica is ready', () => {
    const kinds = rendered('base').map((object) => object.kind);
    expect(kinds).not.toContain('ValidatingWebhookConfiguration');
    expect(kinds).not.toContain('MutatingWebhookConfiguration');
    expect(new Set(kinds)).toEqual(
      new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Service', 'Deployment', 'PodDisruptionBudget', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']),
    );
  });

  it('puts everything namespaced in its own Namespace, which enforces the restricted Pod Security level', () => {
    const objects = rendered('base');
    const namespace = one(objects, 'Namespace');
    const own = namespace.metadata.name;
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];
    for (const object of objects.filter((candidate) => !clusterScoped.includes(candidate.kind))) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(own);
    }
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  it('grants exactly what the code does: get/list/watch of namespaces, list/watch of NetworkPolicies, list of every other kind a rule judges, and asking SubjectAccessReviews', () => {
    const objects = rendered('base');
    const deployment = one(objects, 'Deployment');
    const serviceAccount = deployment.spec.template.spec.serviceAccountName as string;
    const granted = new Map<string, Set<string>>();
    for (const binding of all(objects, 'ClusterRoleBinding')) {
      const subjects = binding.subjects as { kind: string; name: string; namespace: string }[];
      expect(subjects).toEqual([{ kind: 'ServiceAccount', name: serviceAccount, namespace: deployment.metadata.namespace }]);
      // Its writes of its own webhook configurations: the next test.
      if (binding.roleRef.name === WEBHOOK_OWNER_CLUSTER_ROLE) continue;
      const role = one(objects, 'ClusterRole', binding.roleRef.name);
      for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
        // The one verb that is not a read creates a question (a SubjectAccessReview), which changes nothing.
        const reads = rule.resources.includes('subjectaccessreviews') ? ['create'] : ['get', 'list', 'watch'];
        expect(rule.verbs.every((verb) => reads.includes(verb)), `verbs ${rule.verbs.join(', ')}`).toBe(true);
        for (const group of rule.apiGroups) {
          for (const resource of rule.resources) {
            expect(group === '*' || resource === '*' || resource.includes('/'), `${group}/${resource}`).toBe(false);
            const verbs = granted.get(key(group, resource)) ?? new Set<string>();
            for (const verb of rule.verbs) verbs.add(verb);
            granted.set(key(group, resource), verbs);
          }
        }
      }
    }
    // Namespaces: the server's cache lists and watches them and gets one it has not seen (src/kube/namespace-cache.ts).
    // Everything else is only listed, never watched: by the audit (src/audit/resources.ts, src/audit/scan.ts),
    // and pods also by the webhook when a Namespace UPDATE tightens its enforce level (src/kube/pod-lister.ts).
    const expected = new Map<string, string[]>(AUDITED_RESOURCES.map((resource) => [key(resource.group, resource.resource), ['list']]));
    expected.set('core/namespaces', ['get', 'list', 'watch']);
    // network-isolation's NetworkPolicy cache in the webhook lists and watches them (src/kube/network-policy-cache.ts).
    expected.set('networking.k8s.io/networkpolicies', ['list', 'watch']);
    // policy-label-guard asks the cluster whether a user may change a namespace's guarded labels (src/kube/policy-label-access.ts).
    expected.set('authorization.k8s.io/subjectaccessreviews', ['create']);
    expect(expected.get('core/pods'), 'the webhook lists pods whatever the audit reads').toEqual(['list']);
    expect(new Map([...granted].map(([resource, verbs]) => [resource, [...verbs].sort()]))).toEqual(expected);
    expect(new Set([...granted.keys()].filter((resource) => !resource.startsWith('authorization.k8s.io/')))).toEqual(keysOf(RULES.flatMap((rule) => rule.meta.appliesTo)));
  });

  it('lets the server write only its own two webhook configurations (create cannot be limited by name) and read the ClusterRole that owns them', () => {
    const objects = rendered('base');
    const deployment = one(objects, 'Deployment');
    const role = one(objects, 'ClusterRole', WEBHOOK_OWNER_CLUSTER_ROLE);
    const configurations = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'];
    expect(role.rules).toEqual([
      { apiGroups: ['admissionregistration.k8s.io'], resources: configurations, resourceNames: [WEBHOOK_CONFIGURATION_NAME], verbs: ['get', 'update'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: configurations, verbs: ['create'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: [WEBHOOK_OWNER_CLUSTER_ROLE], verbs: ['get'] },
    ]);
    const binding = one(objects, 'ClusterRoleBinding', WEBHOOK_OWNER_CLUSTER_ROLE);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: WEBHOOK_OWNER_CLUSTER_ROLE });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace: deployment.metadata.namespace }]);
  });

  it('refuses the service account any webhook configuration but its own, calling its own Service (a ValidatingAdmissionPolicy)', () => {
    const objects = rendered('base');
    const service = one(objects, 'Service');
    const policy = one(objects, 'ValidatingAdmissionPolicy', 'policygate-own-webhooks');
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([
      { apiGroups: ['admissionregistration.k8s.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'] },
    ]);
    const serviceAccount = one(objects, 'ServiceAccount').metadata.name;
    expect(policy.spec.matchConditions).toEqual([
      { name: 'by-policygate', expression: `request.userInfo.username.startsWith('system:serviceaccount:') && request.userInfo.username.endsWith(':${serviceAccount}')` },
    ]);
    const expressions = (policy.spec.validations as { expression: string }[]).map((validation) => validation.expression).join('\n');
    expect(expressions).toContain(`object.metadata.name == '${WEBHOOK_CONFIGURATION_NAME}'`);
    expect(expressions).toContain(`w.clientConfig.service.name == '${service.metadata.name}'`);
    expect(expressions).toContain('!has(w.clientConfig.url)');
    expect(one(objects, 'ValidatingAdmissionPolicyBinding', 'policygate-own-webhooks').spec).toEqual({ policyName: 'policygate-own-webhooks', validationActions: ['Deny'] });
  });

  it('ships, unbound, the ClusterRole that grants the permission policy-label-guard asks about, outside the aggregated admin and edit roles', () => {
    const objects = rendered('base');
    const role = one(objects, 'ClusterRole', POLICY_LABEL_CLUSTER_ROLE);
    expect(role.rules).toEqual([{ apiGroups: [POLICY_LABEL_PERMISSION.group], resources: [POLICY_LABEL_PERMISSION.resource], verbs: [POLICY_LABEL_PERMISSION.verb] }]);
    expect(Object.keys(role.metadata.labels ?? {}).filter((label) => label.startsWith('rbac.authorization.k8s.io/aggregate-to'))).toEqual([]);
    const bindings = [...all(objects, 'ClusterRoleBinding'), ...all(objects, 'RoleBinding')];
    expect(bindings.filter((binding) => binding.roleRef.name === POLICY_LABEL_CLUSTER_ROLE)).toEqual([]);
  });

  it('ships the embedded default configuration as the ConfigMap, and the loader accepts it', async () => {
    // deploy/base/config.yaml is the embedded default, verbatim. After changing src/config/default-config.ts,
    // rewrite it with:  npx vitest run test/deploy -u
    await expect(DEFAULT_CONFIG_YAML).toMatchFileSnapshot('../../deploy/base/config.yaml');
    const configMap = one(rendered('base'), 'ConfigMap');
    const text = configMap.data['config.yaml'] as string;
    expect(text).toBe(await readFile(join(DEPLOY, 'base', 'config.yaml'), 'utf8'));
    expect(parseConfig(text, 'deploy/base/config.yaml')).toEqual(DEFAULT_CONFIG);
  });

  it('deploys the image of this release, which must be set to one that was built and pushed', async () => {
    const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const [container] = one(rendered('base'), 'Deployment').spec.template.spec.containers as Manifest[];
    expect(container?.image).toBe(`ghcr.io/policygate/policygate:${version}`);
  });
});

describe.each(['cert-manager', 'self-managed'])('deploy/overlays/%s', (overlay) => {
  const objects = () => rendered(overlay);
  const deployment = () => one(objects(), 'Deployment');
  const podSpec = () => deployment().spec.template.spec as Manifest;
  const container = () => {
    const containers = podSpec().containers as Manifest[];
    expect(containers).toHaveLength(1);
    return containers[0] as Manifest;
  };
  const service = () => one(objects(), 'Service');
  const ownNamespace = () => deployment().metadata.namespace as string;
  /** Both configurations, each with its webhooks and the (group, resource) set it must match. */
  /** What the Deployment registers once ready, as its flags say. */
  const registered = () => registeredBy(deployment());

  it('applies no webhook configuration; the Deployment registers one validating and one mutating webhook, calling routes the server has through the Service', () => {
    expect(objects().map((object) => object.kind).filter((kind) => kind.endsWith('WebhookConfiguration'))).toEqual([]);
    const configurations = registered();
    expect(configurations.map((configuration) => [configuration.kind, configuration.webhooks.map((webhook) => webhook.name)])).toEqual([
      ['ValidatingWebhookConfiguration', ['validate.policygate.dev']],
      ['MutatingWebhookConfiguration', ['mutate.policygate.dev']],
    ]);
    for (const configuration of configurations) {
      const target = configuration.webhooks[0].clientConfig.service;
      expect(target.name).toBe(service().metadata.name);
      expect(target.namespace).toBe(service().metadata.namespace);
      expect((service().spec.ports as { port: number }[]).map((port) => port.port)).toContain(target.port);
      expect(app.hasRoute({ method: 'POST', url: target.path }), `POST ${target.path}`).toBe(true);
    }
  });

  it('never has requests in kube-system, kube-node-lease or its own namespace sent, and enforcement fails closed', () => {
    for (const configuration of registered()) {
      expect(configuration.webhooks[0].namespaceSelector.matchExpressions[0]?.values).toEqual(expect.arrayContaining([...ALWAYS_EXCLUDED_NAMESPACES, ownNamespace()]));
    }
    expect(registered().map((configuration) => configuration.webhooks[0].failurePolicy)).toEqual(['Fail', 'Ignore']);
  });

  it('registers ca.crt of the mounted TLS Secret as the caBundle: the CA that signed the certificate it serves', () => {
    const args = container().args as string[];
    expect(args).not.toContain('--ca-bundle');
    // serve's default: ca.crt beside --tls-cert, in the same Secret volume.
    const caBundle = join(dirname(flags(args).get('--tls-cert') as string), 'ca.crt');
    const mount = mountHolding(container(), caBundle);
    const volume = (podSpec().volumes as Manifest[]).find((candidate) => candidate.name === mount.name);
    expect(volume?.secret?.secretName).toBe('policygate-tls');
    expect(volume?.secret?.items, 'every key of the Secret is mounted').toBeUndefined();
  });

  it('runs policygate serve with flags that match its ports, probes, config and certificate mounts', () => {
    const args = container().args as string[];
    expect(args[0]).toBe('serve');
    const flag = flags(args);
    expect([...flag.keys()].sort()).toEqual(['--config', '--port', '--register-webhooks', '--tls-cert', '--tls-key']);
    expect(args).not.toContain('--no-cluster');

    // --port is the container port the Service targets, and the port both probes call over HTTPS.
    const port = Number(flag.get('--port'));
    const ports = container().ports as { name: string; containerPort: number }[];
    const named = ports.find((candidate) => candidate.containerPort === port);
    expect(named, `a container port ${port}`).toBeDefined();
    const servicePort = (service().spec.ports as { port: number; targetPort: string | number }[]).find((candidate) => candidate.port === 443);
    expect([named?.name, port]).toContain(servicePort?.targetPort);
    expect(selects(service().spec.selector, deployment().spec.template.metadata.labels)).toBe(true);
    for (const [probe, path] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']] as const) {
      const httpGet = container()[probe]?.httpGet as { scheme: string; path: string; port: string | number };
      expect(httpGet, probe).toMatchObject({ scheme: 'HTTPS', path });
      expect([named?.name, port]).toContain(httpGet.port);
      expect(app.hasRoute({ method: 'GET', url: path }), `GET ${path}`).toBe(true);
    }

    // --config is a file of the generated ConfigMap, mounted whole.
    const config = flag.get('--config') as string;
    const configMount = mountHolding(container(), config);
    const volumes = podSpec().volumes as Manifest[];
    const configVolume = volumes.find((volume) => volume.name === configMount.name);
    const configMap = one(objects(), 'ConfigMap', configVolume?.configMap?.name);
    expect(Object.keys(configMap.data)).toContain(config.slice(configMount.mountPath.length + 1));

    // --tls-cert and --tls-key are files of the TLS Secret, mounted as a directory (never subPath) so
    // that a renewed certificate reaches the running process.
    const cert = flag.get('--tls-cert') as string;
    const key = flag.get('--tls-key') as string;
    const tlsMount = mountHolding(container(), cert);
    expect(mountHolding(container(), key)).toEqual(tlsMount);
    expect(tlsMount.subPath).toBeUndefined();
    expect([cert, key].map((file) => file.slice(tlsMount.mountPath.length + 1))).toEqual(['tls.crt', 'tls.key']);
    const tlsVolume = volumes.find((volume) => volume.name === tlsMount.name);
    expect(tlsVolume?.secret?.secretName).toBe('policygate-tls');
  });

  it('stays available: 2+ replicas spread over nodes, a PodDisruptionBudget, rollouts that never lower capacity', () => {
    const replicas = deployment().spec.replicas as number;
    expect(replicas).toBeGreaterThanOrEqual(2);
    const podLabels = deployment().spec.template.metadata.labels as Record<string, string>;
    const spread = (podSpec().topologySpreadConstraints as Manifest[]).find((constraint) => constraint.topologyKey === 'kubernetes.io/hostname');
    expect(spread?.whenUnsatisfiable).toBe('DoNotSchedule');
    expect(selects(spread?.labelSelector.matchLabels, podLabels)).toBe(true);

    const budget = one(objects(), 'PodDisruptionBudget');
    expect(selects(budget.spec.selector.matchLabels, podLabels)).toBe(true);
    const evictable = budget.spec.maxUnavailable ?? replicas - budget.spec.minAvailable;
    expect(evictable, 'a node drain can proceed').toBeGreaterThanOrEqual(1);
    expect(evictable, 'one pod always answers').toBeLessThan(replicas);
    const { rollingUpdate, type } = deployment().spec.strategy;
    expect(type).toBe('RollingUpdate');
    expect(rollingUpdate.maxUnavailable, 'a rollout never goes below the budget').toBe(0);
    expect(rollingUpdate.maxSurge).toBeGreaterThanOrEqual(1);
  });

  it('runs restricted: non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp, bounded resources', () => {
    expect(podSpec().securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSpec().securityContext.runAsUser).toBeGreaterThan(0);
    expect(podSpec().hostNetwork ?? false).toBe(false);
    expect(container().securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    for (const bound of ['requests', 'limits']) {
      expect(Object.keys(container().resources[bound] ?? {}).sort(), bound).toEqual(['cpu', 'memory']);
    }
  });
});

describe('deploy/overlays/cert-manager', () => {
  it('issues the serving certificate from its own CA, for the Service names, into the mounted Secret', () => {
    const objects = rendered('cert-manager');
    const deployment = one(objects, 'Deployment');
    const service = one(objects, 'Service');
    const secretName = (deployment.spec.template.spec.volumes as Manifest[]).find((volume) => volume.secret)?.secret.secretName as string;
    const serving = all(objects, 'Certificate').find((certificate) => certificate.spec.secretName === secretName);
    expect(serving, `a Certificate writing Secret ${secretName}`).toBeDefined();
    expect(serving?.spec.dnsNames).toEqual(serviceDnsNames(service.metadata.name, service.metadata.namespace as string));
    expect(serving?.spec.isCA ?? false).toBe(false);
    const issuer = one(objects, 'Issuer', serving?.spec.issuerRef.name as string);
    const ca = all(objects, 'Certificate').find((certificate) => certificate.spec.secretName === issuer.spec.ca?.secretName);
    expect(ca?.spec.isCA).toBe(true);
    one(objects, 'Issuer', ca?.spec.issuerRef.name);

    // A CA issuer: cert-manager writes the CA into the Secret's ca.crt, which the pods register as the caBundle.
    expect(issuer.spec.ca?.secretName).toBe(ca?.spec.secretName);
  });
});

describe('deploy/components/audit-only', () => {
  it('turns every rule to audit and fails open, on top of an overlay, leaving the rest of the configuration at its defaults', async () => {
    const objects = kustomize(await selfManaged.operator('my-cluster', 'self-managed', ['audit-only']));

    const deployment = one(objects, 'Deployment');
    const configMapName = (deployment.spec.template.spec.volumes as Manifest[]).find((volume) => volume.configMap)?.configMap.name as string;
    const config = parseConfig(one(objects, 'ConfigMap', configMapName).data['config.yaml'] as string, 'audit-only/config.yaml');
    const expected = structuredClone(DEFAULT_CONFIG);
    for (const rule of Object.values(expected.rules)) rule.mode = 'audit';
    expect(config).toEqual(expected);
    expect(all(objects, 'ConfigMap')).toHaveLength(1);

    expect(registeredBy(deployment).map((configuration) => configuration.webhooks[0].failurePolicy)).toEqual(['Ignore', 'Ignore']);
  });
});

describe('deploy/components/periodic-audit', () => {
  it('adds the audit interval, the pod identity, and Lease rights in its own namespace only', async () => {
    const objects = kustomize(await selfManaged.operator('periodic-audit', 'self-managed', ['periodic-audit']));

    const deployment = one(objects, 'Deployment');
    const [container] = deployment.spec.template.spec.containers as Manifest[];
    const args = container?.args as string[];
    expect(parseAuditInterval(args[args.indexOf('--audit-interval') + 1] ?? '')).toBe(600_000);
    expect((container?.env as Manifest[]).map((variable) => [variable.name, variable.valueFrom.fieldRef.fieldPath])).toEqual([
      ['POD_NAME', 'metadata.name'],
      ['POD_NAMESPACE', 'metadata.namespace'],
    ]);

    // The one write policygate has: its own Lease. Only `create` (which RBAC cannot limit by name) is
    // granted for any Lease name.
    expect(all(objects, 'Role')).toHaveLength(1);
    const role = one(objects, 'Role', 'policygate-audit-lease');
    expect(role.metadata.namespace).toBe(deployment.metadata.namespace);
    const verbs = new Set<string>();
    for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[]) {
      expect(rule.apiGroups).toEqual(['coordination.k8s.io']);
      expect(rule.resources).toEqual(['leases']);
      for (const verb of rule.verbs) verbs.add(verb);
      if (rule.verbs.some((verb) => verb !== 'create')) expect(rule.resourceNames, rule.verbs.join(', ')).toEqual([AUDIT_LEASE_NAME]);
    }
    expect([...verbs].sort()).toEqual(['create', 'get', 'update']);
    const binding = one(objects, 'RoleBinding', 'policygate-audit-lease');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace: deployment.metadata.namespace }]);
  });

  it("gives the pod the memory and CPU a scan beside the webhook needs: the webhook's peak plus the scan's heap cap, and two cores", async () => {
    const objects = kustomize(await selfManaged.operator('periodic-audit-resources', 'self-managed', ['periodic-audit']));
    const [container] = one(objects, 'Deployment').spec.template.spec.containers as Manifest[];
    expect(container?.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '2', memory: '320Mi' } });
    // The limit covers the scan's heap cap on top of the webhook's own peak (about 150 MB, README).
    const cap = (AUDIT_WORKER_HEAP.maxOldGenerationSizeMb ?? 0) + (AUDIT_WORKER_HEAP.maxYoungGenerationSizeMb ?? 0);
    expect(320 - cap).toBeGreaterThanOrEqual(180);
  });
});

describe('deploy/components/policy-reports', () => {
  it('adds --policy-reports after the audit interval, and the report writes it needs, nothing more', async () => {
    const objects = kustomize(await selfManaged.operator('policy-reports', 'self-managed', ['periodic-audit', 'policy-reports']));
    const deployment = one(objects, 'Deployment');
    const [container] = deployment.spec.template.spec.containers as Manifest[];
    const args = container?.args as string[];
    expect(args.slice(-3)).toEqual(['--audit-interval', '10m', '--policy-reports']);

    const role = one(objects, 'ClusterRole', 'policygate-reports');
    // The writer's calls: list (with its label selector), POST, PUT, DELETE; OpenReports by default.
    expect(role.rules).toEqual([{ apiGroups: [REPORT_APIS['openreports.io'].apiVersion.split('/')[0]], resources: [REPORT_APIS['openreports.io'].resource, REPORT_APIS['openreports.io'].clusterResource], verbs: ['list', 'create', 'update', 'delete'] }]);
    const binding = one(objects, 'ClusterRoleBinding', 'policygate-reports');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'policygate-reports' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace: deployment.metadata.namespace }]);
  });
});

describe('deploy/components/network-baseline', () => {
  it('grants the controller its NetworkPolicy writes (never delete) and the Lease, and combines with periodic-audit', async () => {
    const objects = kustomize(await selfManaged.operator('network-baseline', 'self-managed', ['periodic-audit', 'network-baseline']));
    const deployment = one(objects, 'Deployment');
    const serviceAccount = { kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace: deployment.metadata.namespace };

    const role = one(objects, 'ClusterRole', 'policygate-network-baseline');
    expect(role.rules).toEqual([{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch', 'create', 'update'] }]);
    expect(one(objects, 'ClusterRoleBinding', 'policygate-network-baseline').subjects).toEqual([serviceAccount]);

    // The Lease the periodic audit uses too: the same rights under another name, so both components fit.
    expect(all(objects, 'Role').map((object) => object.metadata.name).sort()).toEqual(['policygate-audit-lease', 'policygate-network-baseline-lease']);
    expect(one(objects, 'Role', 'policygate-network-baseline-lease').rules).toEqual(one(objects, 'Role', 'policygate-audit-lease').rules);
    expect(one(objects, 'RoleBinding', 'policygate-network-baseline-lease').subjects).toEqual([serviceAccount]);
    const [container] = deployment.spec.template.spec.containers as Manifest[];
    expect((container?.env as Manifest[]).map((variable) => variable.name)).toEqual(['POD_NAME', 'POD_NAMESPACE']);
  });
});

describe('deploy/overlays/self-managed', () => {
  it('does not render before `policygate certs` has written the certificates', async () => {
    // A copy as a fresh checkout has it: a developer may have run `policygate certs` in this one.
    const fresh = await copyOfDeploy();
    try {
      const result = kustomizeText(fresh.selfManaged);
      expect(result.ok).toBe(false);
      expect(result.stderr).toMatch(/certs\/(tls|ca)\.(crt|key)/);
    } finally {
      await fresh.remove();
    }
  });

  it('turns the files `policygate certs` wrote into the Secret, whose ca.crt the pods register, with no manual encoding', async () => {
    const objects = rendered('self-managed');
    const service = one(objects, 'Service');
    const secret = one(objects, 'Secret', 'policygate-tls');
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata.namespace).toBe(service.metadata.namespace);
    const decoded = (name: string) => Buffer.from(secret.data[name] as string, 'base64').toString('utf8');
    for (const name of ['ca.crt', 'tls.crt', 'tls.key']) expect(decoded(name)).toBe(await readFile(join(selfManaged.certs, name), 'utf8'));
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);

    const ca = new X509Certificate(decoded('ca.crt'));
    const serving = new X509Certificate(decoded('tls.crt'));
    expect(serving.verify(ca.publicKey)).toBe(true);
    expect(serving.checkHost(`${service.metadata.name}.${service.metadata.namespace}.svc`)).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc`);
  });
});
