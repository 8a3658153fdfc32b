// Types of runs.mjs, for the tests.
export interface GoldenRun {
  file: string;
  /** The `policygate audit` arguments the file was made with. */
  args: string[];
  format: 'json' | 'text';
  maxObjects: number | undefined;
  /** A configuration file beside the golden files, given as `-c`. */
  config?: string;
}

export const GOLDEN_RUNS: readonly GoldenRun[];

export function normalize(output: string, source: string): string;
