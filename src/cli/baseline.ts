// `policygate baseline`: what the network baseline controller would do in a cluster, without writing;
// with --apply, done once (for clusters that do not run the controller). The same plan as the
// controller's (src/network-baseline/).
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.js';
import { EXIT, InputError } from '../errors.js';
import { describeApiError } from '../kube/api-error.js';
import { kubeJsonClient } from '../kube/api-request.js';
import { loadClusterConfig } from '../kube/kubeconfig.js';
import { planCluster, type ClusterPlan } from '../network-baseline/cluster-plan.js';
import type { BaselineChange } from '../network-baseline/policies.js';
import { createPolicy, updatePolicy } from '../network-baseline/writes.js';
import type { KubeObject } from '../rules/types.js';
import type { Command, CommandIO, OptionSpecs } from './command.js';
import { namespaceName, oneOf, parseCommandArgs } from './parse-args.js';

const FORMATS = ['text', 'yaml', 'json'] as const;

const USAGE = `Usage: policygate baseline [options]

Show what the network baseline (the configuration's networkBaseline: a default-deny and a DNS allow,
unless you configured other policies) would create in the cluster: every namespace that is not exempt
gets each baseline NetworkPolicy, labelled app.kubernetes.io/managed-by: policygate. A policy of the
same name that policygate did not create is left alone; one of policygate's own whose spec differs
from the configuration is put back. Nothing is deleted. Without --apply, nothing is written.

  policygate baseline --kubeconfig ~/.kube/config
  policygate baseline -c policygate.yaml -o yaml > baseline.yaml   # for a GitOps repository
  policygate baseline --apply --namespace team-a

Options:
  -c, --config FILE        the policygate configuration (default: the embedded default)
      --kubeconfig FILE    the cluster (default: KUBECONFIG, else the pod's service account)
  -n, --namespace NAME     only this namespace
  -o, --output FORMAT      text (default); yaml (the NetworkPolicies to create or update, for kubectl
                           apply -f or a repository); json (the plan)
      --apply              create and update the policies now (needs create and update on
                           networkpolicies)
  -h, --help               show this help

It works whether or not networkBaseline.enabled is set: enabled only starts the controller in serve.

Exit codes:
  0  nothing to do, or (with --apply) everything done
  1  without --apply: changes are needed
  2  a usage or configuration error, or a cluster that cannot be read or written (one line on stderr)
`;

const OPTIONS = {
  config: { type: 'string', short: 'c', path: 'file' },
  kubeconfig: { type: 'string', path: 'file' },
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o', choices: FORMATS },
  apply: { type: 'boolean', default: false },
} satisfies OptionSpecs;

function describeChange(change: BaselineChange): { verb: string; namespace: string; name: string; note: string } {
  if (change.action === 'conflict') return { verb: 'skip', namespace: change.namespace, name: change.name, note: 'exists, and policygate did not create it: left alone' };
  const namespace = change.object.metadata?.namespace ?? '';
  const name = change.object.metadata?.name ?? '';
  return change.action === 'create' ? { verb: 'create', namespace, name, note: '' } : { verb: 'update', namespace, name, note: 'policygate created it; its spec is no longer the configured one' };
}

function counts(plan: ClusterPlan) {
  const changes = plan.namespaces.flatMap((namespace) => namespace.changes);
  return {
    namespaces: plan.namespaces.length,
    create: changes.filter((change) => change.action === 'create').length,
    update: changes.filter((change) => change.action === 'update').length,
    leftAlone: changes.filter((change) => change.action === 'conflict').length,
    upToDate: plan.namespaces.reduce((sum, namespace) => sum + namespace.upToDate, 0),
    exempt: plan.skipped.filter((skipped) => skipped.why === 'exempt').length,
    terminating: plan.skipped.filter((skipped) => skipped.why === 'terminating').length,
  };
}

function textReport(plan: ClusterPlan, applied: boolean): string {
  const lines: string[] = [];
  for (const change of plan.namespaces.flatMap((namespace) => namespace.changes)) {
    const { verb, namespace, name, note } = describeChange(change);
    const shown = applied && verb !== 'skip' ? `${verb}d` : verb;
    lines.push(`${shown.padEnd(8)} NetworkPolicy ${namespace}/${name}${note ? `  (${note})` : ''}`);
  }
  const c = counts(plan);
  const skipped = [c.exempt > 0 ? `${c.exempt} exempt` : '', c.terminating > 0 ? `${c.terminating} terminating` : ''].filter(Boolean).join(', ');
  const verbs = applied ? ['created', 'updated'] : ['to create', 'to update'];
  lines.push(
    `${c.namespaces} namespace${c.namespaces === 1 ? '' : 's'} get${c.namespaces === 1 ? 's' : ''} the baseline${skipped ? ` (${skipped} skipped)` : ''}: ` +
      `${c.create} ${verbs[0]}, ${c.update} ${verbs[1]}, ${c.leftAlone} left alone, ${c.upToDate} up to date.` +
      (applied || c.create + c.update === 0 ? '' : ' Nothing was written: --apply writes.'),
  );
  return `${lines.join('\n')}\n`;
}

function writtenObjects(plan: ClusterPlan): KubeObject[] {
  return plan.namespaces.flatMap((namespace) => namespace.changes).flatMap((change) => (change.action === 'conflict' ? [] : [change.object]));
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS, false);
  const format = oneOf('output', values.output, FORMATS, 'text');
  const namespace = values.namespace === undefined ? undefined : namespaceName('namespace', values.namespace);
  const config = await loadConfig(values.config);
  const cluster = loadClusterConfig({ kubeconfig: values.kubeconfig, env: io.env });
  if (!cluster) throw new InputError('no cluster: pass --kubeconfig FILE or set KUBECONFIG (in a pod, the service account is used)');
  const client = kubeJsonClient(cluster.kubeConfig);

  let plan: ClusterPlan;
  try {
    plan = await planCluster(client, config.networkBaseline, { namespace });
  } catch (error) {
    throw new InputError(`cannot read the cluster (${cluster.server}): ${describeApiError(error)}`);
  }
  if (values.apply) {
    for (const change of plan.namespaces.flatMap((entry) => entry.changes)) {
      try {
        if (change.action === 'create') await createPolicy(client, change.object);
        else if (change.action === 'update') await updatePolicy(client, change.current, change.object);
      } catch (error) {
        const { namespace: where, name } = describeChange(change);
        throw new InputError(`cannot ${change.action} NetworkPolicy ${where}/${name}: ${describeApiError(error)}`);
      }
    }
  }

  if (format === 'yaml') io.stdout.write(writtenObjects(plan).map((object) => `---\n${stringify(object)}`).join(''));
  else if (format === 'json') {
    const changes = plan.namespaces.flatMap((entry) => entry.changes).map((change) => {
      const { verb, namespace: where, name } = describeChange(change);
      return { action: verb, namespace: where, name };
    });
    io.stdout.write(`${JSON.stringify({ applied: values.apply, summary: counts(plan), changes, skipped: plan.skipped }, null, 2)}\n`);
  } else io.stdout.write(textReport(plan, values.apply));
  const pending = writtenObjects(plan).length;
  return values.apply || pending === 0 ? EXIT.ok : EXIT.findings;
}

export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'show (or, with --apply, create) the network baseline NetworkPolicies in a cluster',
  usage: USAGE,
  options: OPTIONS,
  run,
};
