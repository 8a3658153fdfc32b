// Objects arrive as untyped JSON or YAML everywhere policygate reads them; this is the one test for
// "a plain object whose fields can be read", shared by the core and every edge.
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
