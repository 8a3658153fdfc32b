// The configuration documentation is executed: the default it shows is the embedded default, every
// example file loads (or is refused with exactly the message shown), and every check is documented
// with its default mode. It lives in the README.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namespaceRequiredLabels } from '../rules/namespace-required-labels.js';
import { networkIsolation } from '../rules/network-isolation.js';
import { networkPolicyAllowAll } from '../rules/network-policy-allow-all.js';
import { policyLabelGuard } from '../rules/policy-label-guard.js';
import { DEFAULT_CONFIG_YAML } from './default-config.js';
import { parseConfig } from './load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const REFUSED_MARKER = '# A file policygate refuses';

/** The README's `## Configuration` chapter, up to the next chapter. */
function configurationDocs(): string {
  const text = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const start = text.indexOf('\n## Configuration\n');
  if (start === -1) throw new Error('no "## Configuration" section in README.md');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

/**
 * Fenced blocks in order, with their language. A YAML block marked `<!-- example: FILE -->` is a
 * manifest that a documented `policygate check` reads, not a configuration: its language is `manifest`.
 */
function fences(markdown: string): { language: string; body: string }[] {
  return [...markdown.matchAll(/^(<!-- example: \S+ -->\n)?```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({
    language: match[1] ? 'manifest' : (match[2] ?? ''),
    body: match[3] ?? '',
  }));
}

describe('the configuration documentation', () => {
  const docs = configurationDocs();
  const blocks = fences(docs);

  it('shows the embedded default verbatim', () => {
    expect(blocks.some((block) => block.language === 'yaml' && block.body === DEFAULT_CONFIG_YAML)).toBe(true);
  });

  it('has examples that load, and a refused example with its exact message', () => {
    const yamlBlocks = blocks.filter((block) => block.language === 'yaml');
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(3);
    expect(yamlBlocks.filter((block) => block.body.startsWith(REFUSED_MARKER)).length, 'refused examples').toBeGreaterThan(0);
    for (const [index, block] of blocks.entries()) {
      if (block.language !== 'yaml') continue;
      if (!block.body.startsWith(REFUSED_MARKER)) {
        expect(() => parseConfig(block.body, 'config.yaml')).not.toThrow();
        continue;
      }
      const shown = blocks[index + 1];
      expect(shown?.language).toBe('text');
      expect(() => parseConfig(block.body, 'config.yaml')).toThrow(shown?.body.trimEnd());
    }
  });

  it.each([...namespaceRequiredLabels.meta.checks, ...networkIsolation.meta.checks, ...networkPolicyAllowAll.meta.checks, ...policyLabelGuard.meta.checks])('documents check $id with its default mode', ({ id, defaultMode }) => {
    expect(docs).toContain(`| \`${id}\` | ${defaultMode} |`);
  });
});
