// Identifying what an object is, from its apiVersion and kind alone.
import type { KubeObject, ResourceKind, RuleContext } from './types.js';

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string' || apiVersion === '') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Core `v1` Namespace: judged by several rules, and the namespace other objects are judged in. */
export const NAMESPACE_KIND: ResourceKind = { group: '', kind: 'Namespace' };

export function isKind(object: KubeObject, wanted: ResourceKind): boolean {
  return object.kind === wanted.kind && groupOf(object.apiVersion) === wanted.group;
}

export function matchesAny(object: KubeObject, kinds: readonly ResourceKind[]): boolean {
  for (const kind of kinds) if (isKind(object, kind)) return true;
  return false;
}

export function formatKind(kind: ResourceKind): string {
  return kind.group === '' ? kind.kind : `${kind.kind}.${kind.group}`;
}

/**
 * The namespace an object is judged in: a Namespace's own name; for a request, the namespace the
 * request is made in and nothing else (never the object's metadata.namespace, which its sender
 * writes); offline (the audit), the namespace it was looked up in, else its own metadata.namespace.
 */
export function namespaceOf(object: KubeObject, context?: Pick<RuleContext, 'namespace' | 'requestNamespace'>): string | undefined {
  if (isKind(object, NAMESPACE_KIND)) return object.metadata?.name;
  if (context?.requestNamespace !== undefined) return context.requestNamespace || undefined;
  return context?.namespace?.name ?? object.metadata?.namespace;
}
