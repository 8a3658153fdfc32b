import { describe, expect, it } from 'vitest';
import { parseFieldPath } from './field-path.js';
import { parseManifests } from './parse-manifests.js';
import { splitDocuments } from './split-documents.js';

const STREAM = `# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    "cost-center": "1234"
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx
          securityContext:
            privileged: true
---
# empty
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec: {containers: [{name: c, image: x}]}
  - just a string
---
apiVersion: v1
kind: PodList
items:
  - metadata: {name: typed}
`;

describe('splitDocuments', () => {
  it('cuts at --- and after ..., keeping each chunk’s first line', () => {
    const chunks = splitDocuments('a: 1\n---\nb: 2\n...\n# c\n--- {c: 3}\n');
    expect(chunks.map((chunk) => [chunk.line, chunk.text])).toEqual([
      [0, 'a: 1\n'],
      [1, '---\nb: 2\n...\n'],
      [4, '# c\n--- {c: 3}\n'],
    ]);
  });

  it('does not cut at --- inside a line or indented', () => {
    expect(splitDocuments('a: "x --- y"\nb: |\n  ---\n').length).toBe(1);
  });
});

describe('parseFieldPath', () => {
  it.each([
    ['spec.containers[0].securityContext.privileged', ['spec', 'containers', 0, 'securityContext', 'privileged']],
    ['metadata.labels["cost-center"]', ['metadata', 'labels', 'cost-center']],
    ['metadata.annotations["a.b/c[0]"]', ['metadata', 'annotations', 'a.b/c[0]']],
    ['spec.ingress[0]', ['spec', 'ingress', 0]],
    ['spec[oops', ['spec']],
  ])('%s', (path, segments) => {
    expect(parseFieldPath(path)).toEqual(segments);
  });
});

describe('parseManifests', () => {
  const parsed = parseManifests('chart.yaml', STREAM);

  it('reads every object, flattening lists and typing the items of a typed list', () => {
    expect(parsed.documents.map((document) => [document.document, document.object.kind, document.object.metadata?.name, document.itemPath])).toEqual([
      [0, 'Deployment', 'web', []],
      [2, 'Pod', 'a', ['items', 0]],
      [3, 'Pod', 'typed', ['items', 0]],
    ]);
    expect(parsed.documents[2]?.object.apiVersion).toBe('v1');
  });

  it('reports what is not a Kubernetes object, with its line, and skips empty documents', () => {
    expect(parsed.problems).toEqual([
      { file: 'chart.yaml', line: 26, column: 5, message: 'items[1]: not a Kubernetes object: the document is a string, not a mapping with apiVersion and kind' },
    ]);
  });

  it.each([
    ['a list', 'metadata: [web]'],
    ['a string', 'metadata: web'],
  ])('refuses an object whose metadata is %s, as the API server does', (what, line) => {
    const { documents, problems } = parseManifests('pod.yaml', `apiVersion: v1\nkind: Pod\n${line}\nspec: {containers: [{name: c, image: x}]}\n`);
    expect(documents).toEqual([]);
    expect(problems).toEqual([{ file: 'pod.yaml', line: 1, column: 1, message: `not a Kubernetes object: "metadata" is ${what}, not a mapping` }]);
  });

  it('locates fields at their key, list items at their first character, and missing fields at their nearest ancestor', () => {
    const [deployment, listed] = parsed.documents;
    expect(deployment?.position).toEqual({ line: 2, column: 1 });
    expect(deployment?.locate('spec.template.spec.containers[0].securityContext.privileged')).toEqual({ line: 15, column: 13 });
    expect(deployment?.locate('spec.template.spec.containers[0]')).toEqual({ line: 12, column: 11 });
    expect(deployment?.locate('metadata.labels["cost-center"]')).toEqual({ line: 7, column: 5 });
    expect(deployment?.locate('metadata.labels["team"]')).toEqual({ line: 6, column: 3 });
    expect(deployment?.locate('spec.template.spec.securityContext.runAsNonRoot')).toEqual({ line: 10, column: 5 });
    expect(listed?.position).toEqual({ line: 22, column: 5 });
    expect(listed?.locate('spec.containers[0]')).toEqual({ line: 25, column: 25 });
  });

  it('reads scalars as kubectl does (YAML 1.1: yes/on are true, 0644 is octal)', () => {
    const [pod] = parseManifests('p.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: yes\n  x: [on, off, No, 0644, 0x1F, 1_000, 1:30, 2024-01-01, ~, "yes"]\n').documents;
    expect(pod?.object.spec).toEqual({ hostNetwork: true, x: [true, false, false, 420, 31, 1000, '1:30', '2024-01-01', null, 'yes'] });
  });

  it('reports a document that does not parse, and still reads the others', () => {
    const result = parseManifests('bad.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n');
    expect(result.documents.map((document) => document.object.metadata?.name)).toEqual(['a', 'b']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: 'bad.yaml', line: 6 });
    expect(result.problems[0]?.message).toMatch(/^invalid YAML: /);
  });

  it('reads a document nested 100 levels deep, and refuses one nested deeper with its line, as the webhook refuses such a body', () => {
    // The root mapping and `data` are levels 1 and 2; each `a:` below opens one more.
    const nested = (levels: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n${Array.from({ length: levels - 2 }, (_, depth) => `${'  '.repeat(depth + 1)}a:\n`).join('')}${'  '.repeat(levels - 1)}b: c\n`;
    expect(parseManifests('deep.yaml', nested(100))).toMatchObject({ problems: [], documents: [{ object: { kind: 'ConfigMap' } }] });
    const refused = parseManifests('deep.yaml', `apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n${nested(101)}`);
    expect(refused.documents.map((document) => document.object.kind)).toEqual(['Namespace']);
    expect(refused.problems).toEqual([
      { file: 'deep.yaml', line: 108, column: 201, message: 'nested deeper than 100 levels; no Kubernetes object nests that deep, so policygate refuses it unparsed' },
    ]);
    const json = parseManifests('deep.json', `{"apiVersion": "v1", "kind": "Pod", "spec": ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`);
    expect(json.problems).toEqual([{ file: 'deep.json', line: 1, column: 144, message: 'nested deeper than 100 levels; no Kubernetes object nests that deep, so policygate refuses it unparsed' }]);
  });

  it('reports duplicate keys, as kubectl’s strict decoding does', () => {
    const result = parseManifests('dup.yaml', 'apiVersion: v1\nkind: Pod\nkind: Pod\n');
    expect(result.problems).toEqual([{ file: 'dup.yaml', line: 3, column: 1, message: 'invalid YAML: duplicated mapping key' }]);
  });

  it.each([
    ['a block key', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  ? [a, b]\n  : c\n', 5, 5],
    ['a flow key', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x, {a: 1}: c}\n', 3, 21],
  ])('reports a complex key (%s) where it is, not at the start of the stream', (_name, text, line, column) => {
    const result = parseManifests('key.yaml', `apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n${text}`);
    expect(result.problems).toEqual([{ file: 'key.yaml', line: line + 4, column, message: 'invalid YAML: object-based map does not support complex keys' }]);
  });

  it('names what an object lacks', () => {
    expect(parseManifests('x.yaml', 'metadata: {name: x}\n').problems[0]?.message).toBe('not a Kubernetes object: "apiVersion" and "kind" are missing or not a string');
    expect(parseManifests('x.yaml', 'kind: Pod\n').problems[0]?.message).toBe('not a Kubernetes object: "apiVersion" is missing or not a string');
  });

  it('reads JSON, with positions', () => {
    const [policy] = parseManifests('np.json', '{\n  "apiVersion": "networking.k8s.io/v1",\n  "kind": "NetworkPolicy",\n  "metadata": {"name": "n"},\n  "spec": {\n    "ingress": [{}]\n  }\n}\n').documents;
    expect(policy?.locate('spec.ingress[0]')).toEqual({ line: 6, column: 17 });
    expect(policy?.locate('spec')).toEqual({ line: 5, column: 3 });
  });

  it('counts lines after CRLF line ends and a leading comment block', () => {
    const [pod] = parseManifests('crlf.yaml', '# a\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nspec:\r\n  hostPID: true\r\n').documents;
    expect(pod?.locate('spec.hostPID')).toEqual({ line: 6, column: 3 });
  });
});
