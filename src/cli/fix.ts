// `policygate fix`: rewrite manifests so that they pass, as a person would edit them. A thin shell:
// read the arguments, the configuration and the files, hand them to the fixer, then write the files
// (or the diff, or the fixed stream) and the report, and turn it into the exit code.
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { EXIT, InputError } from '../errors.js';
import { fixManifests, type FixReport } from '../fix/fix-manifests.js';
import { FIX_OUTPUTS, formatFixJson, formatFixText } from '../fix/report.js';
import { unifiedDiff } from '../fix/unified-diff.js';
import { startsWithByteOrderMark, writeFileAtomically } from '../fix/write-file.js';
import { readSources, readStream, STDIN_NAME, STDIN_PATH, type ManifestSource } from '../manifests/index.js';
import { warnAboutExpiredExceptions, type Command, type CommandIO, type OptionSpecs } from './command.js';
import { namespaceName, oneOf, parseCommandArgs } from './parse-args.js';

const USAGE = `Usage: policygate fix [options] PATH...

Rewrite Kubernetes manifests so that they pass, keeping every comment and the layout: only the
added or changed lines differ. PATH is a file, a directory (searched as check searches it), or - to
read standard input and write the fixed stream to standard output.

  policygate fix deploy/
  policygate fix --diff deploy/ > fix.patch
  kustomize build overlays/prod | policygate fix - | kubectl apply -f -

What it fixes, where a check fails and a safe default fixes it without letting the workload do
more than the standard allows:
  pod and pod template securityContext for restricted: seccompProfile RuntimeDefault and
  runAsNonRoot true (on the pod when no container sets its own, else per container),
  allowPrivilegeEscalation false and capabilities.drop ALL (per container); a value is replaced
  only where it means the same as unset (allowPrivilegeEscalation: true, runAsNonRoot: false)
  a Namespace's required labels that have a configured default
What it never fixes, and lists as needing a person with file:line:column: privileged containers,
host namespaces, hostPath volumes, added capabilities, runAsUser 0, a chosen seccomp profile such
as Unconfined, and everything else.

Options:
  -c, --config FILE      the policygate configuration (default: the embedded default)
  -f, --filename PATH    a file or directory to fix, as PATH; repeat for several
      --diff             write a unified diff to standard output and change nothing
  -o, --output FORMAT    the report: text (default) or json
  -n, --namespace NAME   the namespace of objects that name none (default: default)
  -h, --help             show this help

Objects are judged as check judges them, without policygate's own mutations: the file must pass on
its own. The report goes to standard output, or to standard error when standard output carries the
diff or the fixed stream. A second run changes nothing.

Exit codes:
  0  nothing remains
  1  findings remain that need a person (with --diff: would remain after the diff)
  2  a usage or configuration error, or an input error (a file that cannot be read or written,
     YAML that does not parse); everything else is still fixed and reported
`;

const OPTIONS = {
  config: { type: 'string', short: 'c', path: 'file' },
  filename: { type: 'string', short: 'f', multiple: true, path: 'file' },
  diff: { type: 'boolean' },
  output: { type: 'string', short: 'o', choices: FIX_OUTPUTS },
  namespace: { type: 'string', short: 'n' },
} satisfies OptionSpecs;

async function readStandardInput(io: CommandIO): Promise<{ source: ManifestSource; bom: boolean }> {
  const raw = await readStream(io.stdin);
  const bom = raw.charCodeAt(0) === 0xfeff;
  return { source: { name: STDIN_NAME, text: bom ? raw.slice(1) : raw }, bom };
}

function diffOf(report: FixReport): string {
  return report.files
    .filter((file) => file.fixed !== file.original)
    .map((file) => unifiedDiff(file.name, file.segments))
    .join('');
}

/** Writes every changed file; a file that cannot be written becomes an input error of the report. */
function writeFiles(report: FixReport, io: CommandIO): void {
  for (const file of report.files) {
    if (file.fixed === file.original) continue;
    const path = resolve(io.cwd, file.name);
    try {
      writeFileAtomically(path, file.fixed, startsWithByteOrderMark(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : error instanceof Error ? error.message : String(error);
      report.errors.push({ file: file.name, line: null, column: null, message: `cannot write the fixed file: ${reason}` });
      report.summary.errors++;
    }
  }
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  const output = oneOf('output', values.output, FIX_OUTPUTS, 'text');
  const namespace = namespaceName('namespace', values.namespace ?? 'default');
  const paths = [...(values.filename ?? []), ...positionals];
  const dryRun = values.diff === true;
  if (paths.length === 0) throw new InputError('no PATH given: name files or directories of manifests, or - for standard input (see --help)');
  const stdin = paths.includes(STDIN_PATH);
  if (stdin && paths.length > 1) throw new InputError(`"${STDIN_PATH}" (standard input) cannot be combined with other paths: the fixed stream goes to standard output`);

  const config = await loadConfig(values.config);
  const now = (io.now ?? Date.now)();
  warnAboutExpiredExceptions('fix', config.exceptions, now, io);
  let bom = false;
  let read: { sources: ManifestSource[]; problems: Awaited<ReturnType<typeof readSources>>['problems'] };
  if (stdin) {
    const input = await readStandardInput(io);
    bom = input.bom;
    read = { sources: [input.source], problems: [] };
  } else read = await readSources(paths, io);

  const report = await fixManifests(read.sources, read.problems, { config, namespace, positions: dryRun ? 'original' : 'fixed', now: () => now });
  if (dryRun) io.stdout.write(diffOf(report));
  else if (stdin) io.stdout.write((bom ? '\uFEFF' : '') + (report.files[0]?.fixed ?? ''));
  else writeFiles(report, io);

  const formatted = output === 'json' ? formatFixJson(report, { dryRun }) : formatFixText(report, { dryRun });
  (dryRun || stdin ? io.stderr : io.stdout).write(formatted);
  if (report.summary.errors > 0) return EXIT.input;
  return report.summary.remaining > 0 ? EXIT.findings : EXIT.ok;
}

export const fixCommand: Command = {
  name: 'fix',
  summary: 'rewrite manifests so that they pass, keeping comments and layout (--diff to preview)',
  usage: USAGE,
  options: OPTIONS,
  operands: 'paths',
  run,
};
