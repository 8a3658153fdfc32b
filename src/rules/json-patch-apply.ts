// Applies RFC 6902 JSON Patch operations (add, remove, replace, test: the ones mutations produce) to a
// copy of a document. The API server applies a webhook's patch itself; this is for the edges that must
// see the mutated object without a cluster (the offline checker judges what the cluster would store)
// and for the tests that re-evaluate a mutation's output. Strict: an operation that RFC 6902 says must
// fail (missing parent, index out of range, failed test) throws, so a bad patch is caught here first.
import { parseJsonPointer } from './json-pointer.js';
import type { PatchOperation } from './types.js';

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** RFC 6901: an array index is `0` or digits without a leading zero. */
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

function arrayIndex(array: unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return array.length;
  if (!ARRAY_INDEX.test(token)) throw new Error(`${pointer}: "${token}" is not an array index`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) throw new Error(`${pointer}: index ${index} is out of range`);
  return index;
}

function child(parent: unknown, token: string, pointer: string): unknown {
  if (Array.isArray(parent)) return parent[arrayIndex(parent, token, pointer, false)];
  if (isContainer(parent) && Object.hasOwn(parent, token)) return (parent as Record<string, unknown>)[token];
  throw new Error(`${pointer}: no such location`);
}

/** The container holding the pointer's last token, and that token. */
function locate(document: unknown, pointer: string): { parent: Container; key: string } {
  const tokens = parseJsonPointer(pointer);
  const key = tokens.pop();
  if (key === undefined) throw new Error('operations on the whole document are not supported');
  let parent = document;
  for (const token of tokens) parent = child(parent, token, pointer);
  if (!isContainer(parent)) throw new Error(`${pointer}: the parent is not an object or an array`);
  return { parent, key };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function applyOne(document: unknown, operation: PatchOperation): void {
  const { parent, key } = locate(document, operation.path);
  switch (operation.op) {
    case 'add':
      if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, operation.path, true), 0, structuredClone(operation.value));
      else parent[key] = structuredClone(operation.value);
      return;
    case 'replace':
      child(parent, key, operation.path);
      if (Array.isArray(parent)) parent[arrayIndex(parent, key, operation.path, false)] = structuredClone(operation.value);
      else parent[key] = structuredClone(operation.value);
      return;
    case 'remove':
      child(parent, key, operation.path);
      if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, operation.path, false), 1);
      else delete parent[key];
      return;
    case 'test':
      if (!deepEqual(child(parent, key, operation.path), operation.value)) throw new Error(`${operation.path}: test failed`);
      return;
  }
}

/** The document with the operations applied in order; the input is not modified. Throws when an operation fails. */
export function applyJsonPatch<T>(document: T, operations: readonly PatchOperation[]): T {
  const copy = structuredClone(document);
  for (const operation of operations) applyOne(copy, operation);
  return copy;
}
