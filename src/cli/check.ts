// `policygate check`: the webhook's verdicts on manifests, offline, for CI. A thin shell: read the
// arguments and the configuration, hand the files to the checker, print the report in the asked format
// and turn it into the exit code.
import { loadConfig } from '../config/load.js';
import { InputError } from '../errors.js';
import { checkManifests, readSources } from '../manifests/index.js';
import { FAIL_ON_LEVELS, FORMATS, FORMATTERS, exitCodeOf } from '../report/index.js';
import type { UserInfo } from '../rules/types.js';
import { useColor, warnAboutExpiredExceptions, type Command, type CommandIO, type OptionSpecs } from './command.js';
import { namespaceName, oneOf, parseCommandArgs } from './parse-args.js';
import { VERSION } from './version.js';

const USAGE = `Usage: policygate check [options] PATH...

Check Kubernetes manifests with the webhook's rules and verdicts, without a cluster: will
\`kubectl apply\` be refused? PATH is a file, a directory (searched recursively for .yaml, .yml and
.json files), or - for standard input. A directory walk passes over hidden entries, node_modules, the
files of other tools (kustomizations and their patches, Helm charts, Compose, CI files) and documents
with neither apiVersion nor kind, and lists them in the summary.

  policygate check deploy/
  helm template my-release ./chart | policygate check -
  kubectl kustomize overlays/prod | policygate check --format github -

Options:
  -c, --config FILE      the policygate configuration (default: the embedded default)
  -f, --format FORMAT    text (default), json, junit, sarif, github
      --fail-on LEVEL    the weakest finding that fails the run: enforce (default), warn, audit,
                         or never
  -n, --namespace NAME   the namespace of objects that name none (default: default)
      --user NAME        judge as this user, e.g. your deployer's
                         system:serviceaccount:NAMESPACE:NAME
      --group NAME       judge as a member of this group; repeat for several
      --exclude GLOB     pass over what a directory walk finds that matches: a path such as
                         'deploy/tests/**', or a name at any depth such as 'values*.yaml';
                         repeat for several
  -h, --help             show this help

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
  config: { type: 'string', short: 'c', path: 'file' },
  format: { type: 'string', short: 'f', choices: FORMATS },
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

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  const format = oneOf('format', values.format, FORMATS, 'text');
  const failOn = oneOf('fail-on', values['fail-on'], FAIL_ON_LEVELS, 'enforce');
  const namespace = namespaceName('namespace', values.namespace ?? 'default');
  if (positionals.length === 0) throw new InputError('no PATH given: name files or directories of manifests, or - for standard input (see --help)');

  const config = await loadConfig(values.config);
  const now = (io.now ?? Date.now)();
  warnAboutExpiredExceptions('check', config.exceptions, now, io);
  const read = await readSources(positionals, { ...io, exclude: values.exclude ?? [] });
  const report = await checkManifests(read.sources, read.problems, { config, namespace, userInfo: userInfoOf(values.user, values.group ?? []), now: () => now }, read);
  const output = FORMATTERS[format](report, { failOn, color: useColor(io), cwd: io.cwd, version: VERSION, config });
  io.stdout.write(output);
  return exitCodeOf(report, failOn);
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'check manifests (files, directories, stdin) offline, as the webhook would',
  usage: USAGE,
  options: OPTIONS,
  operands: 'paths',
  run,
};
