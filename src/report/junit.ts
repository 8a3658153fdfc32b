// `-o junit`: for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines). One test suite
// per file, one test case per resource. A resource fails with the findings that reach --fail-on;
// findings below it are listed in the case's system-out (each once, in its strongest mode); input
// errors are test errors; what a directory walk passed over is a skipped test.
import { reportPaths } from './paths.js';
import { inStrongestMode } from './strongest-mode.js';
import { objectName, plural, where } from './text.js';
import { renderReport, type Output, type Reporter, type ReporterOptions } from './reporter.js';
import { failsRun, type CheckError, type CheckReport, type CheckResult, type CheckedResource, type FormatOptions, type SkippedInput } from './types.js';

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

function resourceCase(resource: CheckedResource, options: Pick<FormatOptions, 'failOn'>, pathOf: PathOf): { xml: string; failed: boolean } {
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

function skippedCase(entry: SkippedInput, pathOf: PathOf): string {
  const file = pathOf(entry.file);
  const name = entry.line === null ? 'the file' : `document at line ${entry.line}`;
  const location = attributes({ name, classname: file, file, ...(entry.line === null ? {} : { line: entry.line }) });
  return `    <testcase${location}>\n      <skipped${attributes({ message: entry.reason })}/>\n    </testcase>`;
}

interface Suite {
  errors: string[];
  cases: string[];
  failures: number;
  skipped: number;
}

/**
 * JUnit puts its counts in its first lines, so this reporter keeps the test cases (as XML text, not the
 * objects) until the end; the other formats write as they go.
 */
export function junitReporter(output: Output, options: ReporterOptions): Reporter {
  const paths = reportPaths(options.cwd, options.root);
  const pathOf: PathOf = (file) => paths(file).path;
  const suites = new Map<string, Suite>();
  const suite = (file: string): Suite => {
    let found = suites.get(file);
    if (!found) {
      found = { errors: [], cases: [], failures: 0, skipped: 0 };
      suites.set(file, found);
    }
    return found;
  };
  const error = (entry: CheckError) => suite(entry.file).errors.push(errorCase(entry, pathOf));
  return {
    document(resources, errors) {
      for (const entry of errors) error(entry);
      for (const resource of resources) {
        const { xml, failed } = resourceCase(resource, options, pathOf);
        const found = suite(resource.file);
        found.cases.push(xml);
        if (failed) found.failures++;
      }
    },
    error,
    skipped(entry) {
      const found = suite(entry.file);
      found.cases.push(skippedCase(entry, pathOf));
      found.skipped++;
    },
    end() {
      let tests = 0;
      let failures = 0;
      let errors = 0;
      const xml: string[] = [];
      for (const [file, { errors: errorCases, cases, failures: suiteFailures, skipped }] of suites) {
        const all = [...errorCases, ...cases];
        tests += all.length;
        failures += suiteFailures;
        errors += errorCases.length;
        const open = `  <testsuite${attributes({ name: pathOf(file), tests: all.length, failures: suiteFailures, errors: errorCases.length, skipped })}`;
        xml.push(all.length === 0 ? `${open}/>` : `${open}>\n${all.join('\n')}\n  </testsuite>`);
      }
      output.write(
        ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes({ name: 'policygate check', tests, failures, errors })}>`, ...xml, '</testsuites>', ''].join('\n'),
      );
    },
  };
}

export function formatJunit(report: CheckReport, options: ReporterOptions): string {
  return renderReport(report, junitReporter, options);
}
