// `-o junit`: for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines). One test suite
// per file, one test case per resource. A resource fails with the findings that reach --fail-on;
// findings below it are listed in the case's system-out (each once, in its strongest mode); input
// errors are test errors.
import { reportPaths } from './paths.js';
import { inStrongestMode } from './strongest-mode.js';
import { objectName, plural, where } from './text.js';
import { failsRun, type CheckError, type CheckReport, type CheckResult, type CheckedResource, type FormatOptions } from './types.js';

/** XML 1.0 has no place for most control characters, even escaped. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
}

/** Files as the report names them: from the repository's root. */
type PathOf = (file: string) => string;

function resultLine(result: CheckResult, pathOf: PathOf): string {
  const exception = result.exception === undefined ? '' : ` (exception ${result.exception})`;
  return `${where(pathOf(result.file), result.line, result.column)}  ${result.mode}  ${result.rule}/${result.check}  ${result.message}${exception}`;
}

function resourceCase(resource: CheckedResource, options: FormatOptions, pathOf: PathOf): { xml: string; failed: boolean } {
  const shown = inStrongestMode(resource.results);
  const failing = shown.filter((result) => failsRun(result.mode, options.failOn));
  const passing = shown.filter((result) => !failsRun(result.mode, options.failOn));
  const file = pathOf(resource.file);
  const open = `    <testcase${attributes({ name: objectName(resource), classname: file, file, line: resource.line })}`;
  if (shown.length === 0) return { xml: `${open}/>`, failed: false };
  const lines = [`${open}>`];
  const [first] = failing;
  if (first) {
    const message = failing.length === 1 ? `${first.rule}/${first.check}: ${first.message}` : `${plural(failing.length, 'finding')} at or above --fail-on ${options.failOn}`;
    lines.push(`      <failure${attributes({ message, type: `${first.rule}/${first.check}` })}>${escapeXml(failing.map((result) => resultLine(result, pathOf)).join('\n'))}</failure>`);
  }
  if (passing.length > 0) lines.push(`      <system-out>${escapeXml(passing.map((result) => resultLine(result, pathOf)).join('\n'))}</system-out>`);
  lines.push('    </testcase>');
  return { xml: lines.join('\n'), failed: first !== undefined };
}

function errorCase(error: CheckError, pathOf: PathOf): string {
  const file = pathOf(error.file);
  const name = error.line === null ? 'read the file' : `document at line ${error.line}`;
  const location = attributes({ name, classname: file, file, ...(error.line === null ? {} : { line: error.line }) });
  return `    <testcase${location}>\n      <error${attributes({ message: error.message, type: 'input-error' })}>${escapeXml(where(file, error.line, error.column))}: ${escapeXml(error.message)}</error>\n    </testcase>`;
}

function byFile<T extends { file: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.file);
    if (group) group.push(item);
    else groups.set(item.file, [item]);
  }
  return groups;
}

export function formatJunit(report: CheckReport, options: FormatOptions): string {
  const paths = reportPaths(options.cwd, options.root);
  const pathOf: PathOf = (file) => paths(file).path;
  const errorsByFile = byFile(report.errors);
  const resourcesByFile = byFile(report.resources);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const file of report.files) {
    const cases: string[] = [];
    let suiteFailures = 0;
    for (const error of errorsByFile.get(file) ?? []) cases.push(errorCase(error, pathOf));
    const suiteErrors = cases.length;
    for (const resource of resourcesByFile.get(file) ?? []) {
      const { xml, failed } = resourceCase(resource, options, pathOf);
      cases.push(xml);
      if (failed) suiteFailures++;
    }
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
    const open = `  <testsuite${attributes({ name: pathOf(file), tests: cases.length, failures: suiteFailures, errors: suiteErrors, skipped: 0 })}`;
    suites.push(cases.length === 0 ? `${open}/>` : `${open}>\n${cases.join('\n')}\n  </testsuite>`);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'policygate check', tests, failures, errors })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
