// A NetworkPolicy spec as the API server stores it, so that a configured spec and the one read back
// compare equal when they mean the same: the API server defaults `policyTypes` (Ingress, plus Egress
// when there are egress rules) and a port's `protocol` (TCP), and drops empty lists and nulls (its
// fields are `omitempty`); an empty selector `{}` is kept, since it means "everything".
import { isRecord } from '../rules/is-record.js';

function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (!isRecord(value)) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined || (Array.isArray(child) && child.length === 0)) continue;
    kept[key] = withoutEmpty(child);
  }
  return kept;
}

function withDefaultProtocols(rules: unknown): unknown {
  if (!Array.isArray(rules)) return rules;
  return rules.map((rule) => {
    if (!isRecord(rule) || !Array.isArray(rule.ports)) return rule;
    return { ...rule, ports: rule.ports.map((port) => (isRecord(port) && port.protocol === undefined ? { ...port, protocol: 'TCP' } : port)) };
  });
}

export function storedSpec(spec: unknown): unknown {
  const kept = withoutEmpty(spec);
  if (!isRecord(kept)) return kept;
  const stored: Record<string, unknown> = { ...kept };
  if (stored.ingress !== undefined) stored.ingress = withDefaultProtocols(stored.ingress);
  if (stored.egress !== undefined) stored.egress = withDefaultProtocols(stored.egress);
  if (stored.policyTypes === undefined) stored.policyTypes = Array.isArray(stored.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
  return stored;
}
