// `policygate review`: replay one AdmissionReview (captured from a cluster's audit log or a webhook's
// debug output, or written by hand) through exactly the code path of /validate (or /mutate), and print
// the response AdmissionReview the webhook would send. For debugging a denial without a cluster.
import { load as loadYaml } from 'js-yaml';
import { mutateReview, parseAdmissionReview, ReviewError, validateReview } from '../admission/index.js';
import { BodyError, parseJsonBody, prototypeKeyIn, prototypeKeyMessage } from '../admission/json-body.js';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage } from '../admission/nesting.js';
import { NO_CLUSTER, type NamespaceLookup } from '../admission/types.js';
import { loadConfig } from '../config/load.js';
import { EXIT, InputError } from '../errors.js';
import { namespacesFromObjects, parseManifests, readSources, readStream, STDIN_NAME, STDIN_PATH } from '../manifests/index.js';
import { isNestingError, KUBERNETES_YAML_SCHEMA } from '../manifests/kubernetes-yaml.js';
import { warnAboutExpiredExceptions, type Command, type CommandIO, type OptionSpecs } from './command.js';
import { parseCommandArgs } from './parse-args.js';

const USAGE = `Usage: policygate review [options] [-f] FILE|-

Answer one AdmissionReview (JSON or YAML, from FILE or standard input) exactly as the webhook's
/validate endpoint would, or /mutate with --mutate, and print the response AdmissionReview.

  policygate review captured-review.json
  policygate review --mutate --namespaces namespaces.yaml -f - < review.yaml

Options:
  -f, --filename FILE     the AdmissionReview to answer, or - for standard input (or name it after
                          the options)
  -c, --config FILE       the policygate configuration (default: the embedded default)
      --mutate            answer as /mutate (the JSON Patch is in response.patch, base64)
      --namespaces FILE   manifests whose Namespaces stand in for the cluster's (their labels
                          choose the Pod Security levels); without it, the configured defaults apply
  -h, --help              show this help

The response goes to standard output; the decision and its reason to standard error.

Exit codes: 0 allowed, 1 denied (or refused with an internal error), 2 usage or configuration error,
or input that is not an AdmissionReview.
`;

const OPTIONS = {
  filename: { type: 'string', short: 'f', multiple: true, path: 'file' },
  config: { type: 'string', short: 'c', path: 'file' },
  mutate: { type: 'boolean' },
  namespaces: { type: 'string', path: 'file' },
} satisfies OptionSpecs;

async function readInput(path: string, io: CommandIO): Promise<string> {
  if (path === STDIN_PATH) return readStream(io.stdin);
  const { sources, problems } = await readSources([path], io);
  const [problem] = problems;
  if (problem) throw new InputError(problem.message, path);
  const [source, ...more] = sources;
  if (!source || more.length > 0 || source.name !== path) throw new InputError('is a directory, not a file', path);
  return source.text;
}

/** `name:line:column` of a byte offset in the UTF-8 text, for an error that names where. */
function locationOf(name: string, bytes: Buffer, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let index = bytes.indexOf(0x0a); index !== -1 && index < offset; index = bytes.indexOf(0x0a, index + 1)) {
    line++;
    lineStart = index + 1;
  }
  return `${name}:${line}:${bytes.toString('utf8', lineStart, offset).length + 1}`;
}

/**
 * JSON as the API server sends it, read and refused exactly as the webhook reads its body; YAML for
 * reviews written by hand, held to the same nesting limit and the same refusal of prototype keys.
 */
function parseBody(text: string, name: string): unknown {
  const bytes = Buffer.from(text);
  try {
    return parseJsonBody(bytes);
  } catch (error) {
    if (error instanceof BodyError) throw new InputError(error.message, error.offset === undefined ? name : locationOf(name, bytes, error.offset));
    // Not JSON: read it as YAML.
  }
  let value: unknown;
  try {
    // js-yaml counts the document as one level: maxDepth N admits N - 1 nested collections.
    value = loadYaml(text, { schema: KUBERNETES_YAML_SCHEMA, maxDepth: MAX_NESTING_DEPTH + 1 });
  } catch (error) {
    if (isNestingError(error)) throw new InputError(nestingTooDeepMessage(), error.mark ? `${name}:${error.mark.line + 1}:${error.mark.column + 1}` : name);
    throw new InputError(`neither JSON nor YAML: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`, name);
  }
  const found = prototypeKeyIn(value);
  if (found) throw new InputError(prototypeKeyMessage(found), name);
  return value;
}

async function namespaceLookup(file: string | undefined, io: CommandIO): Promise<NamespaceLookup> {
  if (file === undefined) return NO_CLUSTER;
  const { sources, problems } = await readSources([file], io);
  const parsed = sources.map((source) => parseManifests(source.name, source.text));
  const [problem] = [...problems, ...parsed.flatMap((result) => result.problems)];
  if (problem) throw new InputError(problem.message, problem.line === null ? problem.file : `${problem.file}:${problem.line}`);
  return namespacesFromObjects(parsed.flatMap((result) => result.documents.map((document) => document.object)));
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  const files = [...(values.filename ?? []), ...positionals];
  const [path, ...extra] = files;
  if (path === undefined) throw new InputError('no FILE given: name a file holding an AdmissionReview, or - for standard input (see --help)');
  if (extra.length > 0) throw new InputError(`one AdmissionReview at a time (got ${files.length} files)`);

  const config = await loadConfig(values.config);
  const now = (io.now ?? Date.now)();
  warnAboutExpiredExceptions('review', config.exceptions, now, io);
  const namespaces = await namespaceLookup(values.namespaces, io);
  const name = path === STDIN_PATH ? STDIN_NAME : path;
  let review;
  try {
    review = parseAdmissionReview(parseBody(await readInput(path, io), name));
  } catch (error) {
    if (error instanceof ReviewError) throw new InputError(`not a usable AdmissionReview: ${error.message}`, name);
    throw error;
  }

  const deps = { config, namespaces, now: () => now };
  const decision = values.mutate ? await mutateReview(review, deps) : await validateReview(review, deps);
  io.stdout.write(`${JSON.stringify(decision.review, null, 2)}\n`);
  io.stderr.write(`${decision.reason}\n`);
  return decision.review.response.allowed ? EXIT.ok : EXIT.findings;
}

export const reviewCommand: Command = {
  name: 'review',
  summary: 'answer one AdmissionReview from a file or stdin, exactly as /validate or /mutate would',
  usage: USAGE,
  options: OPTIONS,
  operands: 'paths',
  run,
};
