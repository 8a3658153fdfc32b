// The README's "Running the webhook server" chapter against the code: the options `serve` takes and the
// metric names it exports. A flag or a metric added, renamed or removed fails here until the chapter says so.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/cli/serve.js';
import { METRIC_NAMES } from '../../src/server/metrics.js';

const chapter = async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('\n## Running the webhook server\n');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThan(-1);
  return readme.slice(start, end);
};

/** The first cells of the table under `heading` (up to the next heading). */
function firstColumn(text: string, heading: string): string[] {
  const at = text.indexOf(`\n${heading}\n`);
  expect(at, heading).toBeGreaterThan(-1);
  const section = text.slice(at + heading.length + 2).split('\n#')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) => line.split('|')[1]?.trim() ?? '');
}

describe('README: Running the webhook server', () => {
  it('lists every option of `policygate serve`, and no other', async () => {
    // Long and short forms alike (`-c`, `--config FILE`); --help is every command's and goes unsaid.
    const flags = /(?<![\w-])--?[a-z][a-z-]*/g;
    const documented = firstColumn(await chapter(), '### `policygate serve` options').flatMap((cell) => cell.match(flags) ?? []);
    const usage = [...serveCommand.usage.matchAll(/^ {2}((?:-[a-z], )?--[a-z-]+)/gm)].flatMap((match) => match[1]?.match(flags) ?? []).filter((flag) => flag !== '--help' && flag !== '-h');
    expect(usage).toEqual(expect.arrayContaining(['--tls-cert', '-c', '--config']));
    expect(documented.sort()).toEqual(usage.sort());
  });

  it('lists every metric the webhook exports (the audit gauges have their own chapter), and no other', async () => {
    const documented = firstColumn(await chapter(), '### Metrics').map((cell) => cell.replace(/`/g, ''));
    const exported = Object.values(METRIC_NAMES).filter((name) => !name.startsWith('policygate_audit_'));
    expect(documented).toContain('policygate_admission_requests_total');
    expect(documented.sort()).toEqual(exported.sort());
  });
});
