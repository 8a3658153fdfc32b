// The Dockerfile, checked by reading it: no Docker engine runs on these machines, so whatever can be
// checked without building is checked here. Pinned bases, a numeric non-root user, nothing from the
// build context that is missing or ignored, no shell at run time, and an entrypoint that runs
// `policygate serve`.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './render.js';

interface Instruction {
  instruction: string;
  args: string;
}

interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions by stage, with comments dropped and continuation lines joined. */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction.toUpperCase() === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${instruction} before the first FROM`);
      stage.instructions.push({ instruction: instruction.toUpperCase(), args });
    }
  }
  return stages;
}

/** The `--flag=value` options and the paths of a COPY: sources, then the destination. */
function copyOf(args: string): { from: string | undefined; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const options = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const destination = paths.pop();
  if (!destination || paths.length === 0) throw new Error(`COPY ${args}: expected sources and a destination`);
  const from = options.find((option) => option.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: paths, destination };
}

/** Docker's .dockerignore: patterns in order, the last match wins, a match on a parent directory counts. */
function dockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, '')).replace(/\/+$/, '');
      let source = '';
      for (let index = 0; index < pattern.length; index++) {
        const char = pattern[index] as string;
        if (pattern.startsWith('**/', index)) {
          source += '(?:.*/)?';
          index += 2;
        } else if (pattern.startsWith('**', index)) {
          source += '.*';
          index += 1;
        } else if (char === '*') source += '[^/]*';
        else if (char === '?') source += '[^/]';
        else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { negated, regex: new RegExp(`^${source}$`) };
    });
  return (path: string) => {
    const parts = path.split('/');
    const candidates = parts.map((_, index) => parts.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const { negated, regex } of patterns) if (candidates.some((candidate) => regex.test(candidate))) excluded = !negated;
    return excluded;
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(REPO, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

const stages = parseDockerfile(await readFile(join(REPO, 'Dockerfile'), 'utf8'));
const ignored = dockerignore(await readFile(join(REPO, '.dockerignore'), 'utf8'));
const runtime = stages.at(-1) as Stage;
const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
// The Deployment as written (no kustomize needed for these fields).
const deployment = parse(await readFile(join(REPO, 'deploy', 'base', 'deployment.yaml'), 'utf8')) as {
  spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number }; containers: { ports: { containerPort: number }[] }[] } } };
};
const instructionsOf = (stage: Stage, instruction: string) => stage.instructions.filter((candidate) => candidate.instruction === instruction);

describe('Dockerfile', () => {
  it('builds on Node 24 images pinned to a version, never a floating tag', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const { image } of stages) {
      const tag = /^[^@]+:([^:@/]+)(@sha256:[0-9a-f]{64})?$/.exec(image)?.[1];
      expect(tag, `${image} has a tag`).toBeDefined();
      expect(['latest', 'lts', 'current', '24', 'slim'], image).not.toContain(tag);
    }
    // The build stages use the Node release the lockfile pins for development (the `node` dependency).
    const nodeVersion = lock.packages['node_modules/node']?.version;
    expect(nodeVersion).toMatch(/^24\./);
    for (const stage of stages.slice(0, -1)) expect(stage.image).toBe(`node:${nodeVersion}-bookworm-slim`);
    // Distroless Node.js 24 on the same Debian release as the build stages, as its non-root variant.
    expect(runtime.image).toBe('gcr.io/distroless/nodejs24-debian12:nonroot');
  });

  it('runs as a numeric non-root user, with nothing in the final stage that needs a shell', () => {
    const users = instructionsOf(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)?.args ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    for (const id of user.split(':')) expect(Number(id)).toBeGreaterThan(0);
    expect(instructionsOf(runtime, 'RUN')).toEqual([]);
    expect(instructionsOf(runtime, 'SHELL')).toEqual([]);
    // deploy/ runs the pod as the image's user and group, and exposes the port the image does.
    const pod = deployment.spec.template.spec;
    expect(user).toBe(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`);
    expect(instructionsOf(runtime, 'EXPOSE').map(({ args }) => Number(args))).toEqual(pod.containers.map((container: { ports: { containerPort: number }[] }) => container.ports[0]?.containerPort));
  });

  it('ships only the compiled output, production dependencies, the launcher and package.json', async () => {
    const copied = instructionsOf(runtime, 'COPY').map(({ args }) => copyOf(args));
    expect(copied.map(({ from, sources }) => `${from ?? 'context'}:${sources.join(',')}`).sort()).toEqual(
      ['context:bin', 'context:package.json', 'deps:/app/node_modules', 'build:/app/dist'].sort(),
    );
    const deps = stages.find((stage) => stage.name === 'deps');
    expect(instructionsOf(deps as Stage, 'RUN').map(({ args }) => args).join('\n')).toMatch(/npm ci --omit=dev --ignore-scripts/);
    // dist/ is where the build stage's compiler writes.
    const build = JSON.parse(await readFile(join(REPO, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string } };
    expect(build.compilerOptions.outDir).toBe('dist');
  });

  it('copies only paths that exist in the repository and that .dockerignore lets through', async () => {
    for (const stage of stages) {
      const stageNames = new Set(stages.map((candidate) => candidate.name).filter(Boolean));
      for (const { args } of instructionsOf(stage, 'COPY')) {
        const { from, sources } = copyOf(args);
        if (from !== undefined) {
          expect(stageNames.has(from), `COPY --from=${from}`).toBe(true);
          continue;
        }
        for (const source of sources) {
          const info = await stat(join(REPO, source)).catch(() => undefined);
          expect(info, `${source} exists`).toBeDefined();
          const files = info?.isDirectory() ? await filesUnder(join(REPO, source)) : [source];
          expect(files.length, `${source} holds files`).toBeGreaterThan(0);
          for (const file of files) {
            if (!file.endsWith('.test.ts')) expect(ignored(file), `.dockerignore lets ${file} through`).toBe(false);
          }
        }
      }
    }
  });

  it('keeps secrets, dependencies and build output of the host out of the build context', () => {
    for (const path of ['certs/ca.key', 'certs/tls.key', 'deploy/overlays/self-managed/certs/tls.key', 'deploy/base/kustomization.yaml', '.git/config', 'node_modules/yaml/package.json', 'dist/cli/main.js', 'test/deploy/render.ts', 'src/cli/main.test.ts']) {
      expect(ignored(path), path).toBe(true);
    }
    for (const path of ['package.json', 'package-lock.json', 'src/cli/main.ts', 'src/certs/certificates.ts', 'bin/policygate.js']) expect(ignored(path), path).toBe(false);
  });

  it('starts `policygate serve` with Node directly, in exec form (there is no shell)', () => {
    const entrypoint = JSON.parse(instructionsOf(runtime, 'ENTRYPOINT').at(-1)?.args ?? 'null') as string[];
    const command = JSON.parse(instructionsOf(runtime, 'CMD').at(-1)?.args ?? 'null') as string[];
    const workdir = instructionsOf(runtime, 'WORKDIR').at(-1)?.args;
    expect(entrypoint).toEqual(['/nodejs/bin/node', `${workdir}/bin/policygate.js`]);
    expect(command).toEqual(['serve']);
  });
});

