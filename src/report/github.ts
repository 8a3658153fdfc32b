// `-o github`: GitHub Actions workflow commands, so that each finding is an annotation on the line of
// the pull request's diff: `::error` for enforce, `::warning` for warn, `::notice` for audit; each
// finding once, in its strongest mode. The summary follows as plain log lines.
import { reportPaths } from './paths.js';
import { inStrongestMode } from './strongest-mode.js';
import { objectName, summaryLines } from './text.js';
import type { CheckReport, FormatOptions } from './types.js';

const COMMAND: Record<string, string> = { enforce: 'error', warn: 'warning', audit: 'notice' };

/** Escaping for a command's message. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** Escaping for a command's properties, where `,` and `:` are separators. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

function command(name: string, properties: Record<string, string | number | null>, message: string): string {
  const list = Object.entries(properties)
    .filter((entry): entry is [string, string | number] => entry[1] !== null)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${name} ${list}::${escapeData(message)}`;
}

export function formatGithub(report: CheckReport, options: FormatOptions): string {
  const pathOf = reportPaths(options.cwd, options.root);
  const lines: string[] = [];
  for (const error of report.errors) {
    lines.push(command('error', { file: pathOf(error.file).path, line: error.line, col: error.column, title: 'policygate: input error' }, error.message));
  }
  const shown = inStrongestMode(report.results);
  for (const result of shown) {
    // What an exception excepts is not a problem to point at in a diff; the summary counts it.
    if (result.mode === 'excepted') continue;
    const title = `${result.rule}/${result.check} (${result.modes.join(', ')})`;
    lines.push(command(COMMAND[result.mode] ?? 'warning', { file: pathOf(result.file).path, line: result.line, col: result.column, title }, `${objectName(result)}: ${result.path}: ${result.message}`));
  }
  lines.push(...summaryLines(report, options, shown));
  return `${lines.join('\n')}\n`;
}
