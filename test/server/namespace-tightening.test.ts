// A Namespace UPDATE that tightens its enforce level, through the app and the real pod lister against a
// small API server: allowed, with PSA's warnings naming the pods that would be refused from now on.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdmissionReviewResponse } from '../../src/admission/index.js';
import { kubePodLister } from '../../src/kube/index.js';
import { buildApp } from '../../src/server/app.js';
import { testConfig } from '../helpers/config.js';
import { makeTestCertificates, namespaceObject, pod, restrictedPod, reviewOf, type TestCertificates } from './helpers.js';

const TOKEN = 'pods-token';

let certs: TestCertificates;
let server: https.Server;
let kubeConfig: KubeConfig;
const calls: string[] = [];

beforeAll(async () => {
  certs = await makeTestCertificates();
  // The API server leaves apiVersion and kind out of list items.
  const items = [pod({ name: 'web-1' }), pod({ name: 'web-2' }), restrictedPod('api'), pod({ name: 'root', privileged: true })].map(
    ({ apiVersion: _apiVersion, kind: _kind, ...item }) => item,
  );
  server = https.createServer({ cert: certs.serving.cert, key: certs.serving.key }, (request, response) => {
    calls.push(`${request.method} ${request.url}`);
    response.setHeader('content-type', 'application/json');
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401).end(JSON.stringify({ kind: 'Status', code: 401 }));
      return;
    }
    if (new URL(request.url ?? '/', 'https://127.0.0.1').pathname !== '/api/v1/namespaces/team-a/pods') {
      response.writeHead(404).end(JSON.stringify({ kind: 'Status', code: 404 }));
      return;
    }
    response.end(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '7' }, items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caData: Buffer.from(certs.ca.cert).toString('base64') }],
    users: [{ name: 'fake', token: TOKEN }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await certs.cleanup();
});

describe('POST /validate: a Namespace tightened to restricted', () => {
  it('is allowed, with warnings naming the pods already in it that restricted would refuse', async () => {
    const app = buildApp({ config: testConfig(), pods: kubePodLister(kubeConfig) });
    try {
      const before = namespaceObject('team-a', { team: 'a', 'pod-security.kubernetes.io/enforce': 'baseline' });
      const after = namespaceObject('team-a', { team: 'a', 'pod-security.kubernetes.io/enforce': 'restricted' });
      const review = reviewOf(after, { operation: 'UPDATE', oldObject: before, username: 'admin' });
      review.request.userInfo = { username: 'admin', groups: ['system:masters'] };
      const reply = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(review) });
      const { response } = reply.json() as AdmissionReviewResponse;
      expect(response.allowed).toBe(true);
      expect(response.status).toBeUndefined();
      expect(response.warnings).toEqual([
        'existing pods in namespace "team-a" violate the new PodSecurity enforce level "restricted:latest"',
        'root: privileged, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
        'web-1 (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
      ]);
      expect(calls).toEqual(['GET /api/v1/namespaces/team-a/pods?limit=3001']);
    } finally {
      await app.close();
    }
  });
});
