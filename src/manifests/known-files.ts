// Files of other tools that sit beside manifests in a repository, and that a directory walk passes over:
// they are not Kubernetes objects (a kustomization, a Helm chart's templates and values, a Compose file,
// a CI pipeline), and reading them as objects would fail a check on ordinary repository files. A file
// named on the command line is always read: the user asked for it.
import { load } from 'js-yaml';
import { isRecord } from '../rules/is-record.js';

/** The kustomization file names kustomize reads, in its order of preference. */
export const KUSTOMIZATION_FILES: readonly string[] = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A Helm chart's directory holds this file; its templates are Go templates, not YAML, until rendered. */
export const HELM_CHART_FILE = 'Chart.yaml';

/** Whole directories of other tools' files. */
const TOOL_DIRECTORIES: ReadonlyMap<string, string> = new Map([['helmfile.d', 'helmfile']]);

/** Exact file names (lowercased) and the tool they belong to. */
const TOOL_FILES: ReadonlyMap<string, string> = new Map([
  ['kustomization.yaml', 'kustomize'],
  ['kustomization.yml', 'kustomize'],
  ['helmfile.yaml', 'helmfile'],
  ['helmfile.yml', 'helmfile'],
  ['skaffold.yaml', 'Skaffold'],
  ['skaffold.yml', 'Skaffold'],
  ['tilt_config.json', 'Tilt'],
  ['devfile.yaml', 'Devfile'],
  ['catalog-info.yaml', 'Backstage'],
  ['mkdocs.yml', 'MkDocs'],
  ['mkdocs.yaml', 'MkDocs'],
  ['azure-pipelines.yml', 'Azure Pipelines'],
  ['azure-pipelines.yaml', 'Azure Pipelines'],
  ['bitbucket-pipelines.yml', 'Bitbucket Pipelines'],
  ['cloudbuild.yaml', 'Cloud Build'],
  ['cloudbuild.yml', 'Cloud Build'],
  ['buildspec.yml', 'CodeBuild'],
  ['buildspec.yaml', 'CodeBuild'],
  ['codecov.yml', 'Codecov'],
  ['taskfile.yml', 'Task'],
  ['taskfile.yaml', 'Task'],
  ['renovate.json', 'Renovate'],
  ['package.json', 'npm'],
  ['package-lock.json', 'npm'],
  ['composer.json', 'Composer'],
]);

/** File names that follow a pattern: Compose files and their overrides, TypeScript configurations. */
const TOOL_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/^(?:docker-)?compose(?:\.[^.]+)*\.ya?ml$/, 'Docker Compose'],
  [/^tsconfig(?:\.[^.]+)*\.json$/, 'TypeScript'],
];

/** The tool a file belongs to by its name alone, or undefined. */
export function toolOfFile(name: string): string | undefined {
  const lower = name.toLowerCase();
  return TOOL_FILES.get(lower) ?? TOOL_PATTERNS.find(([pattern]) => pattern.test(lower))?.[1];
}

/** The tool a directory belongs to by its name alone, or undefined. */
export function toolOfDirectory(name: string): string | undefined {
  return TOOL_DIRECTORIES.get(name);
}

/** The kustomization fields that name files kustomize reads as inputs (patches, generator data), not as resources. */
const PATH_LIST_FIELDS = ['patchesStrategicMerge', 'configurations', 'crds', 'transformers', 'generators', 'validators'] as const;
const PATH_ENTRY_FIELDS = ['patches', 'patchesJson6902', 'replacements'] as const;
const GENERATOR_FIELDS = ['configMapGenerator', 'secretGenerator'] as const;

/** A list entry that names a file rather than holding inline YAML. */
function asPath(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !value.includes('\n') ? value : undefined;
}

/**
 * The files (relative to the kustomization's directory) that a kustomization reads as patches,
 * generator data or configuration: what kustomize needs, not what it applies. Resources are not listed:
 * they are the manifests to check. A kustomization that does not parse names nothing.
 */
export function kustomizationInputs(text: string): { path: string; field: string }[] {
  let value: unknown;
  try {
    value = load(text);
  } catch {
    return [];
  }
  if (!isRecord(value)) return [];
  const inputs: { path: string; field: string }[] = [];
  const add = (field: string, entry: unknown) => {
    const path = asPath(entry);
    if (path !== undefined) inputs.push({ path, field });
  };
  for (const field of PATH_LIST_FIELDS) {
    const list = value[field];
    if (Array.isArray(list)) for (const entry of list) add(field, entry);
  }
  for (const field of PATH_ENTRY_FIELDS) {
    const list = value[field];
    if (Array.isArray(list)) for (const entry of list) if (isRecord(entry)) add(field, entry.path);
  }
  for (const field of GENERATOR_FIELDS) {
    const list = value[field];
    if (!Array.isArray(list)) continue;
    for (const generator of list) {
      if (!isRecord(generator)) continue;
      // `files` entries are `path` or `key=path`.
      if (Array.isArray(generator.files)) for (const entry of generator.files) add(field, typeof entry === 'string' ? entry.slice(entry.indexOf('=') + 1) : entry);
      if (Array.isArray(generator.envs)) for (const entry of generator.envs) add(field, entry);
      add(field, generator.env);
    }
  }
  if (Array.isArray(value.helmCharts)) for (const chart of value.helmCharts) if (isRecord(chart)) add('helmCharts', chart.valuesFile);
  if (isRecord(value.openapi)) add('openapi', value.openapi.path);
  return inputs;
}
