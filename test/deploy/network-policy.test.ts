// deploy/components/network-policy rendered on top of an overlay as an operator's kustomization has it:
// it refuses to render without its parameters; with them, policygate's namespace is default-deny, the
// webhook's port is open only to the API server's addresses and the metrics namespace, and the pods
// may reach only the API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, deployWithCertificates, kustomize, kustomizeText, one, type DeployCopy, type Manifest } from './render.js';

const PARAMETERS = (literals: string[]) => `configMapGenerator:
  - name: policygate-network-parameters
    literals: [${literals.join(', ')}]
    options:
      disableNameSuffixHash: true
      annotations: {config.kubernetes.io/local-config: "true"}
`;

let deploy: DeployCopy;
let objects: Manifest[];
beforeAll(async () => {
  deploy = await deployWithCertificates();
  objects = kustomize(await deploy.operator('my-cluster', 'self-managed', ['network-policy'], PARAMETERS(['apiServerCIDR=192.168.10.0/28', 'metricsNamespace=monitoring'])));
});
afterAll(async () => {
  await deploy?.remove();
});

interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  podSelector?: object;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { protocol: string; port: string | number }[];
}

describe('deploy/components/network-policy', () => {
  it.each([
    ['no parameters at all', '', /nothing selected by ConfigMap.*policygate-network-parameters.*data\.apiServerCIDR/],
    ['no API server addresses', PARAMETERS(['metricsNamespace=monitoring']), /fieldPath `data\.apiServerCIDR` is missing/],
    ['no metrics namespace', PARAMETERS(['apiServerCIDR=10.0.0.0/24']), /fieldPath `data\.metricsNamespace` is missing/],
  ])('does not render with %s: no install can lock out its own API server by accident', async (name, extra, message) => {
    const result = kustomizeText(await deploy.operator(`missing-${name.replaceAll(' ', '-')}`, 'self-managed', ['network-policy'], extra));
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(message);
  });

  it('denies everything in policygate\'s namespace by default', () => {
    const namespace = one(objects, 'Deployment').metadata.namespace;
    const policies = all(objects, 'NetworkPolicy');
    expect(policies.map((policy) => policy.metadata.namespace)).toEqual([namespace, namespace]);
    const deny = one(objects, 'NetworkPolicy', 'policygate-default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    // The parameters are read by kustomize, never applied.
    expect(objects.filter((object) => object.metadata.name === 'policygate-network-parameters')).toEqual([]);
  });

  it('opens the webhook port to the API server\'s addresses and the metrics namespace only, and lets the pods reach the API server only', () => {
    const deployment = one(objects, 'Deployment');
    const policy = one(objects, 'NetworkPolicy', 'policygate-webhook');
    const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
    expect(Object.entries(policy.spec.podSelector.matchLabels as Record<string, string>).every(([label, value]) => podLabels[label] === value)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);

    // The port the API server and Prometheus reach: the container port the Service targets, by its name.
    const [container] = deployment.spec.template.spec.containers as Manifest[];
    const servicePort = (one(objects, 'Service').spec.ports as { targetPort: string }[])[0]?.targetPort;
    expect((container?.ports as { name: string }[]).map((port) => port.name)).toContain(servicePort);
    const webhookPort = [{ protocol: 'TCP', port: servicePort }];
    expect(policy.spec.ingress as Rule[]).toEqual([
      { from: [{ ipBlock: { cidr: '192.168.10.0/28' } }], ports: webhookPort },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: webhookPort },
    ]);
    // Out: the API server only, on the ports API servers listen on. No DNS: the API server is an IP in a pod.
    expect(policy.spec.egress as Rule[]).toEqual([
      {
        to: [{ ipBlock: { cidr: '192.168.10.0/28' } }],
        ports: [
          { protocol: 'TCP', port: 443 },
          { protocol: 'TCP', port: 6443 },
        ],
      },
    ]);
  });
});
