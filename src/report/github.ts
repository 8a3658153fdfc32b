// `-o github`: GitHub Actions workflow commands, so that each finding is an annotation on the line of
// the pull request's diff: `::error` for enforce, `::warning` for warn, `::notice` for audit; each
// finding once, in its strongest mode, and input errors as errors, in the order met. The summary
// follows as plain log lines.
import { reportPaths } from './paths.js';
import { byPlace, renderReport, type Output, type Reporter, type ReporterOptions } from './reporter.js';
import { inStrongestMode, type ShownResult } from './strongest-mode.js';
import { objectName, ShownCounts, summaryLines } from './text.js';
import type { CheckError, CheckReport } from './types.js';

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
  return `::${name} ${list}::${escapeData(message)}\n`;
}

export function githubReporter(output: Output, options: ReporterOptions): Reporter {
  const pathOf = reportPaths(options.cwd, options.root);
  const shown = new ShownCounts(options.failOn);
  const error = (entry: CheckError) =>
    output.write(command('error', { file: pathOf(entry.file).path, line: entry.line, col: entry.column, title: 'policygate: input error' }, entry.message));
  const finding = (result: ShownResult) => {
    const title = `${result.rule}/${result.check} (${result.modes.join(', ')})`;
    output.write(command(COMMAND[result.mode] ?? 'warning', { file: pathOf(result.file).path, line: result.line, col: result.column, title }, `${objectName(result)}: ${result.path}: ${result.message}`));
  };
  return {
    document(resources, errors) {
      const entries: (ShownResult | CheckError)[] = [...errors];
      for (const resource of resources) {
        for (const result of inStrongestMode(resource.results)) {
          shown.add(result);
          // What an exception excepts is not a problem to point at in a diff; the summary counts it.
          if (result.mode !== 'excepted') entries.push(result);
        }
      }
      for (const entry of entries.sort(byPlace)) {
        if ('rule' in entry) finding(entry);
        else error(entry);
      }
    },
    error,
    skipped() {},
    end(summary) {
      output.write(`${summaryLines(summary, shown, options.failOn).join('\n')}\n`);
    },
  };
}

export function formatGithub(report: CheckReport, options: ReporterOptions): string {
  return renderReport(report, githubReporter, options);
}
