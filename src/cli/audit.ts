// `policygate audit`: what would enforcing break? A thin shell: read the arguments, the configuration and
// the kubeconfig, hand a lister to the audit, print the report in the asked format and turn it into the
// exit code (the same codes as `check`).
import { auditCluster, auditExitCode, auditJsonChunks, auditTextLines, kubeLister, progressLine } from '../audit/index.js';
import { loadConfig } from '../config/load.js';
import { InputError } from '../errors.js';
import { loadClusterConfig } from '../kube/kubeconfig.js';
import { FAIL_ON_LEVELS } from '../report/types.js';
import { useColor, type Command, type CommandIO, type OptionSpecs } from './command.js';
import { namespaceName, oneOf, outputFormat, parseCommandArgs, refuseOldFormatFlag, wholeNumber } from './parse-args.js';

const FORMATS = ['text', 'json'] as const;
const DEFAULT_TEXT_MAX_OBJECTS = 20;
const DEFAULT_PAGE_SIZE = 500;

const USAGE = `Usage: policygate audit [options]

Read the live cluster and judge every object with the webhook's rules as if every rule and check were
in enforce mode: what would enforcing break? Each finding carries both modes: the one it has today
("now") and the one it would have enforced.

  policygate audit --kubeconfig ~/.kube/config
  policygate audit --namespace team-a --fail-on never
  policygate audit -o json --kubeconfig admin.conf > audit.json

Lists Namespaces, NetworkPolicies, Pods and the workloads whose pod templates are checked
(Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicationControllers,
PodTemplates), ${DEFAULT_PAGE_SIZE} at a time. A pod is reported through its top owner (Pod -> ReplicaSet ->
Deployment, Job -> CronJob): a Deployment with 40 failing pods is one line.

Options:
  -c, --config FILE        the policygate configuration (default: the embedded default)
      --kubeconfig FILE    the cluster (default: KUBECONFIG, else the pod's service account)
  -n, --namespace NAME     audit only this namespace
  -o, --output FORMAT      text (default) or json (check's JSON contract, plus the audit's fields)
      --format FORMAT      another name for --output
      --fail-on LEVEL      the weakest mode, as if enforced, that fails the run: enforce (default),
                           warn, audit, or never
      --max-objects N      objects shown per rule and check (text default ${DEFAULT_TEXT_MAX_OBJECTS}; json default
                           all); 0 shows all
      --page-size N        objects per list call (default ${DEFAULT_PAGE_SIZE})
  -h, --help               show this help

Progress is shown on stderr when stderr is a terminal.

Exit codes:
  0  nothing would reach --fail-on, even enforced
  1  a finding would reach --fail-on if enforced
  2  a usage or configuration error, a cluster that cannot be reached or read (one line on stderr), or
     a kind that could not be listed or a rule that could not be evaluated (the rest is still reported)
`;

const OPTIONS = {
  config: { type: 'string', short: 'c', path: 'file' },
  kubeconfig: { type: 'string', path: 'file' },
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o', choices: FORMATS },
  format: { type: 'string', choices: FORMATS },
  'fail-on': { type: 'string', choices: FAIL_ON_LEVELS },
  'max-objects': { type: 'string' },
  'page-size': { type: 'string' },
} satisfies OptionSpecs;

async function run(argv: string[], io: CommandIO): Promise<number> {
  refuseOldFormatFlag(argv, 'audit');
  const { values } = parseCommandArgs(argv, OPTIONS, false);
  const format = outputFormat(values, FORMATS, 'text');
  const failOn = oneOf('fail-on', values['fail-on'], FAIL_ON_LEVELS, 'enforce');
  const namespace = values.namespace === undefined ? undefined : namespaceName('namespace', values.namespace);
  const maxObjectsFlag = values['max-objects'] === undefined ? undefined : wholeNumber('max-objects', values['max-objects'], { min: 0 });
  const maxObjects = maxObjectsFlag === 0 ? undefined : (maxObjectsFlag ?? (format === 'text' ? DEFAULT_TEXT_MAX_OBJECTS : undefined));
  const pageSize = values['page-size'] === undefined ? DEFAULT_PAGE_SIZE : wholeNumber('page-size', values['page-size'], { min: 1 });

  const config = await loadConfig(values.config);
  const cluster = loadClusterConfig({ kubeconfig: values.kubeconfig, env: io.env });
  if (!cluster) throw new InputError('no cluster to audit: pass --kubeconfig FILE or set KUBECONFIG (in a pod, the service account is used)');

  const progress = io.stderr.isTTY === true ? progressLine(io.stderr) : undefined;
  let report;
  try {
    report = await auditCluster(kubeLister(cluster.kubeConfig), config, {
      namespace,
      pageSize,
      ...(progress ? { onProgress: (step: Parameters<typeof progress.update>[0]) => progress.update(step) } : {}),
    });
  } finally {
    progress?.done();
  }

  // The report in pieces, each written once the last has gone: a large cluster's JSON (100,000 pods:
  // about 15 MB) is never one string.
  const lines = format === 'json' ? auditJsonChunks(report, maxObjects) : withLineEnds(auditTextLines(report, { failOn, color: useColor(io), maxObjects }));
  let pending: string[] = [];
  let length = 0;
  for (const piece of lines) {
    pending.push(piece);
    length += piece.length;
    if (length < OUTPUT_PIECE) continue;
    await write(io, pending.join(''));
    pending = [];
    length = 0;
  }
  await write(io, pending.join(''));
  return auditExitCode(report, failOn);
}

const OUTPUT_PIECE = 64 * 1024;

function* withLineEnds(lines: Iterable<string>): Generator<string> {
  for (const line of lines) yield `${line}\n`;
}

function write(io: CommandIO, text: string): Promise<void> {
  return new Promise((resolve) => (text === '' || io.stdout.write(text) ? resolve() : io.stdout.once('drain', resolve)));
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'scan a live cluster: what would enforcing break?',
  usage: USAGE,
  options: OPTIONS,
  run,
};
