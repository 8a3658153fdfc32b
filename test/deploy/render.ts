// Rendering deploy/ the way an operator's `kubectl apply -k` does, and finding objects in the result.
// kubectl (1.27 or newer, which embeds kustomize 5) must be installed: without it these tests fail with
// a message that says so, rather than passing by skipping what they exist to check.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { certsCommand } from '../../src/cli/certs.js';
import type { CommandIO } from '../../src/cli/command.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(REPO, 'deploy');

/** A rendered object: plain JSON, as kubectl would send it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Rendered YAML: the tests read fields by path and assert on their shape.
  [field: string]: any;
}

const KUBECTL_MISSING =
  'kubectl was not found on PATH. The deploy tests render deploy/ with `kubectl kustomize` exactly as `kubectl apply -k` ' +
  'would; install kubectl 1.27 or newer (it embeds kustomize) to run them.';

/** `kubectl kustomize DIR`, parsed. Throws with kubectl's own message when the render fails. */
export function kustomize(dir: string): Manifest[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, timeout: 60_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(KUBECTL_MISSING);
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (exit ${result.status}):\n${result.stderr}`);
  return renderedObjects(result.stdout);
}

/** The stdout of `kubectl kustomize`, or the error text when it fails (for tests of a failing render). */
export function kustomizeText(dir: string): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, timeout: 60_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(KUBECTL_MISSING);
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

export function renderedObjects(text: string): Manifest[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`kubectl kustomize printed invalid YAML: ${document.errors[0]?.message}`);
    return document.toJS() as Manifest;
  });
}

export function all(objects: readonly Manifest[], kind: string): Manifest[] {
  return objects.filter((object) => object.kind === kind);
}

export function one(objects: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0] as Manifest;
}

export const silentIO = (cwd: string): CommandIO & { out: () => string } => {
  let out = '';
  const sink = { write: (chunk: string | Uint8Array) => ((out += String(chunk)), true) };
  return {
    stdout: sink as unknown as CommandIO['stdout'],
    stderr: sink as unknown as CommandIO['stderr'],
    stdin: process.stdin,
    env: {},
    cwd,
    out: () => out,
  };
};

export interface DeployCopy {
  root: string;
  deploy: string;
  selfManaged: string;
  certs: string;
  /**
   * An operator's own kustomization beside the copy, as the README has it: `my-cluster/` (named here)
   * with `resources:` one overlay of the copy, `components:` some of its components, and `extra` YAML
   * after them (a generator of parameters, say). Returns its directory.
   */
  operator: (name: string, overlay: 'cert-manager' | 'self-managed', components: readonly string[], extra?: string) => Promise<string>;
  remove: () => Promise<void>;
}

/**
 * A throwaway copy of deploy/ as a fresh checkout has it: certificates a developer may have written
 * into this checkout are not copied. Call `remove()` when done.
 */
export async function copyOfDeploy(): Promise<DeployCopy> {
  const root = await mkdtemp(join(tmpdir(), 'policygate-deploy-'));
  const deploy = join(root, 'deploy');
  await cp(DEPLOY, deploy, { recursive: true, filter: (source) => !/[/\\]self-managed[/\\]certs[/\\](?!README\.md$)/.test(source) });
  const selfManaged = join(deploy, 'overlays', 'self-managed');
  const operator = async (name: string, overlay: string, components: readonly string[], extra = '') => {
    const dir = join(root, name);
    await mkdir(dir);
    const lines = [`resources: [../deploy/overlays/${overlay}]`, `components: [${components.map((component) => `../deploy/components/${component}`).join(', ')}]`, extra];
    await writeFile(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
    return dir;
  };
  return { root, deploy, selfManaged, certs: join(selfManaged, 'certs'), operator, remove: () => rm(root, { recursive: true, force: true }) };
}

/** `copyOfDeploy()`, in which `policygate certs` (the real command) has written the self-managed overlay's certificates. */
export async function deployWithCertificates(): Promise<DeployCopy> {
  const copy = await copyOfDeploy();
  const code = await certsCommand.run(['--days', '30'], silentIO(copy.root));
  if (code !== 0) throw new Error(`policygate certs exited ${code}`);
  return copy;
}
