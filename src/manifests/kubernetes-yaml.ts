// YAML as kubectl reads it. kubectl decodes manifests with sigs.k8s.io/yaml, which resolves plain
// scalars the YAML 1.1 way (go-yaml v2): `yes`/`no`/`on`/`off` are booleans, `0644` is octal (420),
// `~` is null. Reading them the YAML 1.2 way would let `privileged: yes` pass offline and be refused
// by the cluster. Timestamps stay strings (go-yaml v2 keeps them so for untyped values), and
// sexagesimal numbers (`1:30`) are strings, as go-yaml v2 has them. Merge keys (`<<`) are supported.
//
// js-yaml 5 rather than `yaml`: its event parser is about ten times faster on large manifest sets, and
// its events carry the source offsets that findings are located with (see locate.ts).
import {
  FAILSAFE_SCHEMA,
  YAMLException,
  NOT_RESOLVED,
  Schema,
  boolYaml11Tag,
  defineScalarTag,
  floatCoreTag,
  mergeTag,
  nullYaml11Tag,
} from 'js-yaml';

/** go-yaml v2's integers: decimal, `0x` hex, `0o` and leading-zero octal, `0b` binary; `_` ignored. */
const GO_YAML_INTEGER = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|0[0-7_]*|[1-9][0-9_]*)$/;

function parseInteger(source: string): number {
  let text = source.includes('_') ? source.replaceAll('_', '') : source;
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    if (text.startsWith('-')) sign = -1;
    text = text.slice(1);
  }
  if (text.startsWith('0b')) return sign * parseInt(text.slice(2), 2);
  if (text.startsWith('0x')) return sign * parseInt(text.slice(2), 16);
  if (text.startsWith('0o')) return sign * parseInt(text.slice(2), 8);
  if (text.length > 1 && text.startsWith('0')) return sign * parseInt(text.slice(1), 8);
  return sign * parseInt(text, 10);
}

const goYamlIntTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', ...'0123456789'],
  resolve: (source) => {
    if (!GO_YAML_INTEGER.test(source) || /^[-+]?(?:0[box])?_*$/.test(source)) return NOT_RESOLVED;
    const value = parseInteger(source);
    return Number.isFinite(value) ? value : NOT_RESOLVED;
  },
  identify: (value) => Number.isInteger(value),
});

/** The scalars sigs.k8s.io/yaml resolves; nothing else is implicit. */
export const KUBERNETES_YAML_SCHEMA: Schema = new Schema([
  ...FAILSAFE_SCHEMA.tags,
  nullYaml11Tag,
  boolYaml11Tag,
  goYamlIntTag,
  floatCoreTag,
  mergeTag,
]);

/**
 * js-yaml's refusal of input nested deeper than its maxDepth (which counts the document as one level:
 * maxDepth N admits N - 1 nested collections). Told apart by its reason, which js-yaml fixes.
 */
export function isNestingError(error: unknown): error is YAMLException {
  return error instanceof YAMLException && error.reason.startsWith('nesting exceeded maxDepth');
}
