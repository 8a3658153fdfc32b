// `policygate rules`: every rule and check, with the mode it runs in and what it is for. The README's
// list of checks is this command's `--format markdown` output (a test keeps the two equal).
import { loadConfig } from '../config/load.js';
import { EXIT } from '../errors.js';
import { ruleCatalog, type CatalogRule } from '../report/rule-catalog.js';
import type { Command, CommandIO, OptionSpecs } from './command.js';
import { outputFormat, parseCommandArgs, refuseOldFormatFlag } from './parse-args.js';

const USAGE = `Usage: policygate rules [options]

List the rules and their checks, with the mode each runs in and a one-line description.

Options:
  -c, --config FILE     show the modes this configuration sets (default: the embedded default)
  -o, --output FORMAT   text (default), json, markdown
      --format FORMAT   another name for --output
  -h, --help            show this help

A Pod Security check's mode is the one it has in a namespace without pod-security.kubernetes.io
labels (the configured defaults); a namespace's labels choose its own.
`;

const FORMATS = ['text', 'json', 'markdown'] as const;

const OPTIONS = {
  config: { type: 'string', short: 'c', path: 'file' },
  output: { type: 'string', short: 'o', choices: FORMATS },
  format: { type: 'string', choices: FORMATS },
} satisfies OptionSpecs;

const POD_SECURITY_NOTE =
  "Pod Security checks show their mode in a namespace without `pod-security.kubernetes.io` labels (the configured defaults); a namespace's labels choose its own levels.";

function formatText(catalog: readonly CatalogRule[]): string {
  const width = Math.max(...catalog.flatMap((rule) => rule.checks.map((check) => check.check.length)));
  const blocks = catalog.map((rule) =>
    [
      `${rule.id}  ${rule.mode}`,
      `  ${rule.description}`,
      `  Applies to: ${rule.appliesTo.join(', ')}`,
      ...rule.checks.map((check) => `  ${check.check.padEnd(width)}  ${check.mode.padEnd('enforce'.length)}  ${check.description}`),
    ].join('\n'),
  );
  return `${blocks.join('\n\n')}\n\n${POD_SECURITY_NOTE.replaceAll('`', '')}\n`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function formatMarkdown(catalog: readonly CatalogRule[]): string {
  const lines = ['| Rule | Check | Mode | Description |', '| --- | --- | --- | --- |'];
  for (const rule of catalog) {
    for (const check of rule.checks) lines.push(`| \`${rule.id}\` | \`${check.check}\` | ${check.mode} | ${cell(check.description)} |`);
  }
  return `${lines.join('\n')}\n\n${POD_SECURITY_NOTE}\n`;
}

function formatJson(catalog: readonly CatalogRule[]): string {
  const rules = catalog.map((rule) => ({
    id: rule.id,
    mode: rule.mode,
    description: rule.description,
    rationale: rule.rationale,
    appliesTo: rule.appliesTo,
    checks: rule.checks.map((check) => ({ id: check.check, mode: check.mode, description: check.description })),
  }));
  return `${JSON.stringify({ rules }, null, 2)}\n`;
}

async function run(argv: string[], io: CommandIO): Promise<number> {
  refuseOldFormatFlag(argv, 'rules');
  const { values } = parseCommandArgs(argv, OPTIONS, false);
  const format = outputFormat(values, FORMATS, 'text');
  const catalog = ruleCatalog(await loadConfig(values.config));
  io.stdout.write(format === 'json' ? formatJson(catalog) : format === 'markdown' ? formatMarkdown(catalog) : formatText(catalog));
  return EXIT.ok;
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'list the rules and checks with their default modes',
  usage: USAGE,
  options: OPTIONS,
  run,
};
