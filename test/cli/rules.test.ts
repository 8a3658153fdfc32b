// `policygate rules` lists every rule and check of the registry, and the README's list of checks is its
// markdown output, kept equal by this test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/registry.js';
import { ROOT, runCli } from './run-cli.js';

const BEGIN = '<!-- policygate rules --format markdown: begin -->';
const END = '<!-- policygate rules --format markdown: end -->';

interface RulesJson {
  rules: { id: string; mode: string; description: string; rationale: string; appliesTo: string[]; checks: { id: string; mode: string; description: string }[] }[];
}

describe('rules', () => {
  it('lists every rule and check in the registry, with modes and descriptions', async () => {
    const { code, stdout, stderr } = await runCli(['rules']);
    for (const rule of RULES) {
      expect(stdout).toContain(`${rule.id}  enforce\n  ${rule.meta.description}\n`);
      for (const check of rule.meta.checks) expect(stdout).toMatch(new RegExp(`\\n  ${check.id} +(enforce|warn|audit|off) +${check.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    }
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('--format json: the same, for tools', async () => {
    const { code, stdout } = await runCli(['rules', '--format', 'json']);
    const { rules } = JSON.parse(stdout) as RulesJson;
    expect(rules.map((rule) => [rule.id, rule.checks.map((check) => check.id)])).toEqual(RULES.map((rule) => [rule.id, rule.meta.checks.map((check) => check.id)]));
    const modeOf = (rule: string, check: string) => rules.find((entry) => entry.id === rule)?.checks.find((entry) => entry.id === check)?.mode;
    // The embedded default: baseline enforced, restricted warned about, cluster-wide policies warned about.
    expect(modeOf('pod-security', 'privileged')).toBe('enforce');
    expect(modeOf('pod-security', 'runAsNonRoot')).toBe('warn');
    expect(modeOf('network-policy-allow-all', 'allow-all-cluster-ingress')).toBe('warn');
    expect(code).toBe(0);
  });

  it('--config shows the modes a configuration sets', async () => {
    const { stdout } = await runCli(['rules', '--format', 'json', '--config', 'psa-config.yaml']);
    const podSecurity = (JSON.parse(stdout) as RulesJson).rules.find((rule) => rule.id === 'pod-security');
    expect(podSecurity?.checks.find((check) => check.id === 'hostPorts')?.mode).toBe('warn');
    expect(podSecurity?.checks.find((check) => check.id === 'runAsNonRoot')?.mode).toBe('audit');
  });

  it('refuses an unknown format and positional arguments', async () => {
    expect(await runCli(['rules', '--format', 'yaml'])).toEqual({ code: 2, stdout: '', stderr: 'policygate rules: --format must be one of text, json, markdown (got "yaml")\n' });
    expect(await runCli(['rules', 'extra'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "policygate rules: Unexpected argument 'extra'. This command does not take positional arguments (see --help)\n",
    });
  });

  it('is what the documentation lists, word for word', async () => {
    const { stdout } = await runCli(['rules', '--format', 'markdown']);
    const documents = ['README.md'];
    const lists = documents.filter((file) => readFileSync(join(ROOT, file), 'utf8').includes(BEGIN));
    expect(lists.length, `no document holds the list between ${BEGIN} and ${END}`).toBeGreaterThan(0);
    for (const file of lists) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const listed = text.slice(text.indexOf(BEGIN) + BEGIN.length, text.indexOf(END));
      expect(listed.trim(), `${file}: regenerate with \`npx policygate rules --format markdown\``).toBe(stdout.trim());
    }
  });
});
