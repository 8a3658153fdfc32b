import { describe, expect, it } from 'vitest';
import { analyzePolicy, admitsConnection, admitsDns, selectsEveryPodIn, type DirectionModel } from './index.js';

function direction(object: Record<string, unknown>, name: 'ingress' | 'egress'): DirectionModel {
  const found = analyzePolicy(object)?.units[0]?.directions.find((candidate) => candidate.name === name);
  if (!found) throw new Error('no direction');
  return found;
}

const KUBE_DNS = { namespace: 'kube-system', namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, labels: { 'k8s-app': 'kube-dns' } };

describe('point questions over the model', () => {
  it('answers whether a NetworkPolicy admits DNS to kube-dns on UDP and TCP', () => {
    const udpOnly = direction(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'dns', namespace: 'shop' },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] },
      },
      'egress',
    );
    expect(admitsDns(udpOnly, { pod: KUBE_DNS })).toEqual({ udp: true, tcp: false });
    expect(admitsDns(udpOnly, { pod: { namespace: 'shop' } })).toEqual({ udp: false, tcp: false });
  });

  it('takes an earlier Calico deny into account, and a Cilium deny wherever it is', () => {
    const calico = direction(
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'p' }, spec: { egress: [{ action: 'Deny', destination: { selector: "k8s-app == 'kube-dns'" } }, { action: 'Allow' }] } },
      'egress',
    );
    expect(admitsDns(calico, { pod: KUBE_DNS }).udp).toBe(false);
    expect(admitsDns(calico, { pod: { namespace: 'shop', labels: { app: 'web' } } }).udp).toBe(true);
    const cilium = direction(
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { endpointSelector: {}, egress: [{ toEntities: ['all'] }], egressDeny: [{ toEntities: ['world'] }] } },
      'egress',
    );
    expect(admitsConnection(cilium, { protocol: 'TCP', port: 443, peer: { address: '203.0.113.7' } })).toBe(false);
    expect(admitsConnection(cilium, { protocol: 'TCP', port: 443, peer: { pod: { namespace: 'other' } } })).toBe(true);
  });

  it('does not overstate: a pod whose address is unknown is not surely in an ipBlock', () => {
    const blocks = direction(
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] } },
      'ingress',
    );
    expect(admitsConnection(blocks, { protocol: 'TCP', port: 80, peer: { pod: { namespace: 'shop' } } })).toBe(false);
    expect(admitsConnection(blocks, { protocol: 'TCP', port: 80, peer: { address: '10.1.2.3' } })).toBe(true);
    expect(admitsConnection(blocks, { protocol: 'TCP', port: 80, peer: { address: '192.168.0.1' } })).toBe(false);
  });

  it('says whether a subject selects every pod of a namespace', () => {
    const model = analyzePolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { podSelector: {} } });
    const subject = model?.units[0]?.subject.match;
    expect(subject && selectsEveryPodIn(subject, 'shop')).toBe(true);
    expect(subject && selectsEveryPodIn(subject, 'other')).toBe(false);
  });
});
