// The runs the audit's golden reports record, and what is taken out of them before comparing: the fake
// API server's address (a new port each time) and the time the audit took.
export const GOLDEN_RUNS = [
  { file: 'audit.json.gz', args: ['--format', 'json'], format: 'json', maxObjects: undefined },
  { file: 'audit.txt.gz', args: ['--format', 'text'], format: 'text', maxObjects: 20 },
  { file: 'audit-all.txt.gz', args: ['--format', 'text', '--max-objects', '0'], format: 'text', maxObjects: undefined },
  // With exceptions (exceptions.yaml, given as -c): what they excepted, grouped as the results are.
  { file: 'audit-exceptions.json.gz', args: ['--format', 'json'], format: 'json', maxObjects: undefined, config: 'exceptions.yaml' },
  { file: 'audit-exceptions.txt.gz', args: ['--format', 'text'], format: 'text', maxObjects: 20, config: 'exceptions.yaml' },
];

export function normalize(output, source) {
  return output.split(source).join('https://api.example:6443').replace(/^(policygate audit of .*) in \d+\.\d s$/m, '$1 in 0.0 s');
}
