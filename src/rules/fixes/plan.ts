// What a fixer returns: JSON Patch operations on the object as written (RFC 6902 `add`, `replace`,
// and `add` at `/-` to append to a list), and notes on what it left for a person and why.
import type { PatchOperation } from '../types.js';

export type Tokens = readonly (string | number)[];

export interface FixNote {
  /** The field left alone, as findings name fields: `spec.containers[0].securityContext.runAsNonRoot`. */
  path: string;
  reason: string;
}

export interface FixPlan {
  operations: PatchOperation[];
  /** The checks the operations are for. */
  checks: string[];
  notes: FixNote[];
}

/** Tokens as a finding's field path: `spec.containers[0].securityContext`, `metadata.labels["a/b"]`. */
export function fieldPath(tokens: Tokens): string {
  let path = '';
  for (const token of tokens) {
    if (typeof token === 'number') path += `[${token}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(token)) path += path === '' ? token : `.${token}`;
    else path += `[${JSON.stringify(token)}]`;
  }
  return path;
}
