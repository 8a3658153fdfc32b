// Dogfood: what deploy/ renders passes policygate's own checker with no finding at all, at the
// restricted Pod Security level. Once through the checker's engine, with restricted as every default,
// and once through the real `policygate check` binary, exactly as a CI pipeline would run it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { checkManifests } from '../../src/manifests/index.js';
import type { PolicyConfig } from '../../src/rules/types.js';
import { DEPLOY, REPO, deployWithCertificates, kustomizeText } from './render.js';

/** The default configuration with restricted enforced everywhere, whatever a Namespace's labels say. */
function restrictedEverywhere(): PolicyConfig {
  const config = structuredClone(DEFAULT_CONFIG) as PolicyConfig;
  config.rules['pod-security'].defaults = {
    enforce: 'restricted',
    'enforce-version': 'latest',
    warn: 'restricted',
    'warn-version': 'latest',
    audit: 'restricted',
    'audit-version': 'latest',
  };
  return config;
}

let deploy: Awaited<ReturnType<typeof deployWithCertificates>>;
const renders: { name: string; file: string; text: string }[] = [];

beforeAll(async () => {
  deploy = await deployWithCertificates();
  for (const [name, dir] of [
    ['base', join(DEPLOY, 'base')],
    ['cert-manager', join(DEPLOY, 'overlays', 'cert-manager')],
    ['self-managed', deploy.selfManaged],
    ['cert-manager+audit-only', await deploy.operator('my-cluster', 'cert-manager', ['audit-only'])],
    ['cert-manager+periodic-audit', await deploy.operator('periodic-audit', 'cert-manager', ['periodic-audit'])],
    [
      'cert-manager+network-policy',
      await deploy.operator(
        'network-policy',
        'cert-manager',
        ['network-policy'],
        'configMapGenerator: [{name: policygate-network-parameters, literals: [apiServerCIDR=10.0.0.0/24, metricsNamespace=monitoring], options: {disableNameSuffixHash: true, annotations: {config.kubernetes.io/local-config: "true"}}}]',
      ),
    ],
    ['cert-manager+periodic-audit+policy-reports', await deploy.operator('policy-reports', 'cert-manager', ['periodic-audit', 'policy-reports'])],
  ] as const) {
    const result = kustomizeText(dir);
    if (!result.ok) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
    const file = join(deploy.root, `${name}.yaml`);
    await writeFile(file, result.stdout);
    renders.push({ name, file, text: result.stdout });
  }
});

afterAll(async () => {
  await deploy?.remove();
});

/**
 * The findings network-isolation has on deploy/, and why they stay. A rendering without the
 * network-policy component holds no network policy, so `check` asks no default-deny of it. With it,
 * policygate's egress goes to the API server only and admits no DNS: policygate resolves nothing (it
 * reaches the API server at KUBERNETES_SERVICE_HOST, an address), so the warning is the one a workload
 * that needs no DNS gets, and opening DNS for it would only widen its policy.
 */
function expectedNetworkFindings(name: string): string[] {
  if (!name.includes('network-policy')) return [];
  return [
    'NetworkPolicy policygate-default-deny: network-isolation/egress-blocks-dns (warn)',
    'NetworkPolicy policygate-webhook: network-isolation/egress-blocks-dns (warn)',
  ];
}

describe('deploy/ judged by policygate itself', () => {
  it('has no finding in any rendering, with restricted as the default for every namespace', async () => {
    for (const { name, text } of renders) {
      for (const config of [DEFAULT_CONFIG, restrictedEverywhere()]) {
        const report = await checkManifests([{ name: `${name}.yaml`, text }], [], { config, namespace: 'default' });
        expect(report.errors, name).toEqual([]);
        const findings = report.results.filter((result) => result.rule !== 'network-isolation').map((result) => `${result.kind} ${result.name}: ${result.rule}/${result.check} (${result.mode}) at ${result.path}: ${result.message}`);
        expect(findings, name).toEqual([]);
        const network = report.results.filter((result) => result.rule === 'network-isolation').map((result) => `${result.kind} ${result.name}: ${result.rule}/${result.check} (${result.mode})`);
        expect(network.sort(), name).toEqual(expectedNetworkFindings(name));
        // Every object was looked at, the Deployment among them.
        expect(report.resources.map((resource) => resource.kind), name).toContain('Deployment');
      }
    }
  });

  it('passes `policygate check --fail-on audit` (the built CLI), but for the network-isolation findings above', () => {
    const launcher = join(REPO, 'bin', 'policygate.js');
    if (!existsSync(join(REPO, 'dist', 'cli', 'check.js'))) {
      throw new Error('dist/cli/check.js is missing: run `npm run build` first (`npm test` does)');
    }
    const node = join(REPO, 'node_modules', '.bin', 'node');
    const withoutNetworkPolicies = renders.filter((render) => !render.name.includes('network-policy')).map((render) => render.file);
    const all = spawnSync(node, [launcher, 'check', '--fail-on', 'audit', ...withoutNetworkPolicies], { encoding: 'utf8', cwd: REPO, timeout: 60_000 });
    expect(all.stderr).toBe('');
    expect(all.status, `policygate check printed:\n${all.stdout}`).toBe(0);
    const withNetworkPolicies = renders.filter((render) => render.name.includes('network-policy')).map((render) => render.file);
    const result = spawnSync(node, [launcher, 'check', '--fail-on', 'audit', ...withNetworkPolicies], { encoding: 'utf8', cwd: REPO, timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((line) => /^\S+:\d+:\d+ /.test(line)).map((line) => line.split(/ {2,}/)[2])).toEqual([
      'network-isolation/egress-blocks-dns',
      'network-isolation/egress-blocks-dns',
    ]);
    expect(result.status, `policygate check printed:\n${result.stdout}`).toBe(1);
  });
});
