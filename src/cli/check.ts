// `policygate check`: the webhook's verdicts on manifests, offline, for CI. A thin shell: read the
// arguments and the configuration, hand the inputs to the checker with a reporter for the terminal (and
// one per --output-file), which write as the objects are judged, and turn the summary into the exit code.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { InputError } from '../errors.js';
import { checkInputs, filePieces, listInputs, stdinPieces, STDIN_PATH, type CheckProgress, type NamedInput } from '../manifests/index.js';
import { FAIL_ON_LEVELS, FORMATS, Output, REPORTERS, exitCodeOfSummary, type ReporterOptions } from '../report/index.js';
import { findReportRoot } from '../report/paths.js';
import type { UserInfo } from '../rules/types.js';
import { useColor, warnAboutExpiredExceptions, type Command, type CommandIO, type OptionSpecs } from './command.js';
import { progressDisplay } from './check-progress.js';
import { closeOutputFile, openOutputFiles } from './output-files.js';
import { namespaceName, oneOf, outputFormat, parseCommandArgs } from './parse-args.js';
import { VERSION } from './version.js';

const USAGE = `Usage: policygate check [options] [-f] PATH...

Check Kubernetes manifests with the webhook's rules and verdicts, without a cluster: will
\`kubectl apply\` be refused? PATH is a file, a directory (searched recursively for .yaml, .yml and
.json files), or - for standard input, given as kubectl takes them (-f PATH, repeatable) or plainly.
A directory walk passes over hidden entries, node_modules, the files of other tools (kustomizations
and their patches, Helm charts, Compose, CI files) and documents with neither apiVersion nor kind,
and lists them in the summary.

  policygate check deploy/
  policygate check -f deploy/ --output-file policygate.sarif   # text here, SARIF for code scanning
  helm template my-release ./chart | policygate check -f -
  kubectl kustomize overlays/prod | policygate check -o github -

Options:
  -f, --filename PATH        a file, directory or - to check; repeat for several (or name them
                             after the options)
  -o, --output FORMAT        text (default), json, junit, sarif, github
      --format FORMAT        another name for --output
      --output-file FILE     also write the report to FILE, in the format its name tells (.sarif,
                             .json, .xml for junit, .txt), for CI; repeat for several
      --output-file-format FORMAT
                             the format of the one --output-file, whatever its name
  -c, --config FILE          the policygate configuration (default: the embedded default)
      --fail-on LEVEL        the weakest finding that fails the run: enforce (default), warn, audit,
                             or never
  -n, --namespace NAME       the namespace of objects that name none (default: default)
      --user NAME            judge as this user, e.g. your deployer's
                             system:serviceaccount:NAMESPACE:NAME
      --group NAME           judge as a member of this group; repeat for several
      --exclude GLOB         pass over what a directory walk finds that matches: a path such as
                             'deploy/tests/**', or a name at any depth such as 'values*.yaml';
                             repeat for several
  -h, --help                 show this help

Namespaces in the input supply the labels (Pod Security levels) of the objects in them; objects in
other namespaces are judged with the configured defaults. Every object is judged as a CREATE.
Without --user or --group nobody is applying anything, so the questions of who may (policy-label-guard,
Pod Security's exempt users) are not asked; with them, they are answered as the webhook would.

Exit codes:
  0  nothing reaches --fail-on
  1  a finding reaches --fail-on
  2  a usage or configuration error, or an input error (a file that cannot be read, YAML that does
     not parse, a document that is not a Kubernetes object, a file, directory or standard input
     with no object in it, an object a rule could not be evaluated on); everything else is still
     checked and reported
`;

const OPTIONS = {
  filename: { type: 'string', short: 'f', multiple: true, path: 'file' },
  output: { type: 'string', short: 'o', choices: FORMATS },
  format: { type: 'string', choices: FORMATS },
  'output-file': { type: 'string', multiple: true, path: 'file' },
  'output-file-format': { type: 'string', choices: FORMATS },
  config: { type: 'string', short: 'c', path: 'file' },
  'fail-on': { type: 'string', choices: FAIL_ON_LEVELS },
  namespace: { type: 'string', short: 'n' },
  user: { type: 'string' },
  group: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
} satisfies OptionSpecs;

/** Who applies the manifests: nobody unless --user or --group says so. */
function userInfoOf(username: string | undefined, groups: string[]): UserInfo | undefined {
  if (username === undefined && groups.length === 0) return undefined;
  return username === undefined ? { groups } : { username, groups };
}

/**
 * `-f json` meant `--format json` before `-f` meant `--filename`. A CI script that still says so would
 * otherwise fail with "json: cannot read": name the habit and the flag that replaced it.
 */
function refuseFormatAsFilename(filenames: readonly string[], cwd: string): void {
  for (const name of filenames) {
    if (!(FORMATS as readonly string[]).includes(name)) continue;
    try {
      statSync(resolve(cwd, name));
    } catch {
      throw new InputError(`-f ${name}: there is no file named "${name}". -f names an input, as kubectl's --filename does; for the output format use -o ${name} (or --format ${name})`);
    }
  }
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, tokens } = parseCommandArgs(argv, OPTIONS);
  const format = outputFormat(values, FORMATS, 'text');
  const failOn = oneOf('fail-on', values['fail-on'], FAIL_ON_LEVELS, 'enforce');
  const namespace = namespaceName('namespace', values.namespace ?? 'default');
  // -f PATH and plain PATHs, in the order given: the report follows it.
  const paths = tokens.flatMap((token) =>
    token.kind === 'positional' ? [token.value] : token.kind === 'option' && token.name === 'filename' && token.value !== undefined ? [token.value] : [],
  );
  if (paths.length === 0) throw new InputError('no PATH given: name files or directories of manifests with -f PATH, or -f - for standard input (see --help)');
  refuseFormatAsFilename((values.filename ?? []).filter((name) => name !== STDIN_PATH), io.cwd);

  const config = await loadConfig(values.config);
  const now = (io.now ?? Date.now)();
  warnAboutExpiredExceptions('check', config.exceptions, now, io);
  const inputs = listInputs(paths, { cwd: io.cwd, exclude: values.exclude ?? [] });
  const outputFiles = openOutputFiles(values['output-file'] ?? [], values['output-file-format'], io.cwd);
  const options: ReporterOptions = { failOn, cwd: io.cwd, root: findReportRoot(io.cwd), version: VERSION, config, color: false };
  // The terminal's report and each --output-file's, written together as the objects are judged.
  const stdout = new Output(io.stdout);
  const outputs = [stdout, ...outputFiles.map((file) => new Output(file.stream))];
  const reporters = [
    REPORTERS[format](stdout, { ...options, color: useColor(io) }),
    ...outputFiles.map((file, index) => REPORTERS[file.format](outputs[index + 1] as Output, options)),
  ];
  const progress = io.stderr.isTTY === true ? progressDisplay(io.stderr, { totalCharacters: totalSize(inputs) }) : undefined;
  let summary;
  try {
    summary = await checkInputs({
      inputs,
      options: { config, namespace, userInfo: userInfoOf(values.user, values.group ?? []), now: () => now },
      reporters,
      open: (item) => (item.type === 'stdin' ? stdinPieces(io.stdin) : filePieces(item.absolute)),
      ready: () => {
        const waits = outputs.map((output) => output.ready()).filter((wait) => wait !== undefined);
        return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
      },
      ...(progress ? { onProgress: (step: CheckProgress) => progress.update(step) } : {}),
    });
  } finally {
    progress?.done();
    for (const output of outputs) output.flush();
    await Promise.all(outputFiles.map(closeOutputFile));
  }
  return exitCodeOfSummary(summary, failOn);
}

/** The size of the files to read, for the progress line; unknown when standard input is among them. */
function totalSize(inputs: readonly NamedInput[]): number | undefined {
  let total = 0;
  for (const input of inputs) {
    for (const item of input.items) {
      if (item.type === 'stdin') return undefined;
      if (item.type !== 'file') continue;
      try {
        total += statSync(item.absolute).size;
      } catch {
        // reported when it is read
      }
    }
  }
  return total;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check manifests (files, directories, stdin) offline, as the webhook would',
  usage: USAGE,
  options: OPTIONS,
  operands: 'paths',
  run,
};
