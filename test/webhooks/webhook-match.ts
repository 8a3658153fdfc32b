// Whether the API server would send a request to a webhook, decided as it decides: the webhook's
// rules (group, operation, resource and subresource, with `pods/*`), then every match condition,
// evaluated in CEL (@bufbuild/cel) with `request`, `object` and `oldObject` bound as the API server
// binds them. A condition that does not evaluate to a boolean is an error, and the API server would
// then apply the failurePolicy (refusing the request, for Fail): `matchConditionErrors` lists those.
import { run } from '@bufbuild/cel';
import type { AdmissionRequest } from '../../src/admission/types.js';
import type { Webhook } from '../../src/webhooks/configurations.js';

/** What decides whether a webhook is called: its rules and its match conditions. */
type Matching = Pick<Webhook, 'rules' | 'matchConditions'>;

type CelInput = bigint | string | boolean | null | number | CelInput[] | Map<string, CelInput>;

/** JSON as CEL sees it: objects are maps, whole numbers ints. */
function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') return new Map(Object.entries(value).flatMap(([key, item]) => (item === undefined ? [] : [[key, toCel(item)] as const])));
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value as CelInput;
}

function ruleMatches(webhook: Matching, request: AdmissionRequest): boolean {
  const group = request.resource?.group ?? '';
  const resource = request.resource?.resource ?? '';
  const subResource = request.subResource ?? '';
  const wanted = subResource === '' ? [resource] : [`${resource}/${subResource}`, `${resource}/*`];
  return webhook.rules.some(
    (rule) => rule.apiGroups.includes(group) && rule.operations.includes(request.operation) && rule.resources.some((candidate) => wanted.includes(candidate)),
  );
}

function conditionResults(webhook: Matching, request: AdmissionRequest): { name: string; result: unknown }[] {
  const bindings = {
    request: toCel({ ...request, subResource: request.subResource ?? '', object: undefined, oldObject: undefined }),
    object: toCel(request.object ?? null),
    oldObject: toCel(request.oldObject ?? null),
  };
  return webhook.matchConditions.map(({ name, expression }) => {
    try {
      return { name, result: run(expression, bindings) };
    } catch (error) {
      return { name, result: error };
    }
  });
}

/** The match conditions that would fail to evaluate for this request (each an error the failurePolicy answers). */
export function matchConditionErrors(webhook: Matching, request: AdmissionRequest): string[] {
  return conditionResults(webhook, request)
    .filter(({ result }) => typeof result !== 'boolean')
    .map(({ name, result }) => `${name}: ${result instanceof Error ? result.message : String(result)}`);
}

/** Whether the API server calls the webhook for this request (its namespaceSelector aside). */
export function isSent(webhook: Matching, request: AdmissionRequest): boolean {
  return ruleMatches(webhook, request) && conditionResults(webhook, request).every(({ result }) => result === true);
}
