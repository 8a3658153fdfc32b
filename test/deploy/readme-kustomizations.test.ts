// The kustomizations the README's Security section shows are rendered as an operator would render them,
// in a copy of deploy/, and do what the text says: the network policy's parameters and patches, and the
// client-certificate patch that makes `serve --client-ca` read a CA mounted from a ConfigMap.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../server/helpers.js';
import { REPO, copyOfDeploy, kustomize, one, type DeployCopy, type Manifest } from './render.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** The YAML block after `<!-- kustomization: NAME -->`, unindented, with the checkout's path as the copy has it. */
function documented(name: string): string {
  const match = new RegExp(`<!-- kustomization: ${name} -->\\n( *)\`\`\`yaml\\n([\\s\\S]*?)\\n *\`\`\``).exec(README);
  if (!match) throw new Error(`README.md has no kustomization marked ${name}`);
  const indent = match[1] ?? '';
  return (match[2] ?? '')
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n')
    .replaceAll('../policygate/deploy', '../deploy');
}

let copy: DeployCopy;
let certs: TestCertificates;
beforeAll(async () => {
  copy = await copyOfDeploy();
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await copy?.remove();
  await certs?.cleanup();
});

async function render(name: string, text: string, files: Record<string, string> = {}): Promise<Manifest[]> {
  const dir = join(copy.root, name);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir);
  await writeFile(join(dir, 'kustomization.yaml'), text);
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  return kustomize(dir);
}

describe("the README's kustomizations", () => {
  it('network-policy: the parameters reach the NetworkPolicy', async () => {
    const objects = await render('network-policy', documented('network-policy'));
    const policy = one(objects, 'NetworkPolicy', 'policygate-webhook');
    expect(policy.spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '10.0.0.0/24' } }]);
    expect(policy.spec.ingress[1].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    expect(policy.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.0/24' } }]);
  });

  it('network-policy-patches: another range both ways, and the konnectivity agents in', async () => {
    const objects = await render('network-policy-patches', `${documented('network-policy')}\n${documented('network-policy-patches')}\n`);
    const policy = one(objects, 'NetworkPolicy', 'policygate-webhook');
    expect(policy.spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: '10.0.0.0/24' } },
      { ipBlock: { cidr: '10.0.2.0/24' } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { app: 'konnectivity-agent' } } },
    ]);
    expect(policy.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.0/24' } }, { ipBlock: { cidr: '10.0.2.0/24' } }]);
  });

  it('client-certificates: serve gets --client-ca, a file of a mounted ConfigMap holding the CA', async () => {
    const objects = await render('client-certificates', `resources: [../deploy/overlays/cert-manager]\n${documented('client-certificates')}\n`, { 'client-ca.crt': certs.ca.cert });
    const deployment = one(objects, 'Deployment');
    const [container] = deployment.spec.template.spec.containers as Manifest[];
    const args = container?.args as string[];
    const file = args[args.indexOf('--client-ca') + 1] as string;
    const mount = (container?.volumeMounts as { name: string; mountPath: string }[]).find((candidate) => file.startsWith(`${candidate.mountPath}/`));
    const volume = (deployment.spec.template.spec.volumes as Manifest[]).find((candidate) => candidate.name === mount?.name);
    const configMap = one(objects, 'ConfigMap', volume?.configMap?.name as string);
    expect(configMap.data[file.slice((mount?.mountPath.length ?? 0) + 1)]).toBe(certs.ca.cert);
    // The registration and the rest of serve's flags are untouched.
    expect(args).toContain('--register-webhooks');
  });
});
