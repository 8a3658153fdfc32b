// The network posture in `policygate audit --format text`: the totals, then the namespaces that fall
// short (a direction not isolated for every pod, pods no policy selects, a policy that admits
// everything, pods their policies open together, a network-isolation finding), capped; --format json
// has every namespace.
import type { Style } from '../report/text.js';
import type { NamespacePosture, NetworkPosture } from './network-posture.js';

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}

function list(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function fallsShort(posture: NamespacePosture): boolean {
  return (
    (!posture.exempt && (!posture.ingressIsolated || !posture.egressIsolated)) ||
    posture.podsNotSelected > 0 ||
    posture.admittingEverything.length > 0 ||
    posture.openGroups.length > 0 ||
    posture.findings > 0
  );
}

function isolation(isolated: boolean): string {
  return isolated ? 'isolated' : 'open';
}

export function networkPostureText(posture: NetworkPosture, paint: (style: Style, text: string) => string, maxNamespaces: number): string[] {
  const { totals } = posture;
  if (totals.namespaces === 0) return [];
  const out: string[] = [];
  out.push(paint('bold', 'Network posture:'));
  out.push(
    `  ${plural(totals.namespaces, 'namespace')}: every pod isolated for ingress in ${totals.ingressIsolated}, for egress in ${totals.egressIsolated}; ` +
      `${plural(totals.pods, 'pod')}, ${totals.podsNotSelected.toLocaleString('en-US')} selected by no policy; ` +
      `${plural(totals.policiesAdmittingEverything, 'policy', 'policies')} admitting everything; ` +
      `${plural(totals.openGroups, 'pod group')} open through several policies together; ${plural(totals.findings, 'network-isolation finding')}.`,
  );
  const short = posture.namespaces.filter(fallsShort);
  if (short.length === 0) {
    out.push(paint('green', '  Every namespace isolates every pod for ingress and egress, and no policy, alone or with others, admits everything.'));
    return out;
  }
  const shown = short.slice(0, maxNamespaces);
  const width = Math.max('NAMESPACE'.length, ...shown.map((entry) => entry.namespace.length + (entry.exempt ? 1 : 0)));
  out.push(paint('dim', `  ${'NAMESPACE'.padEnd(width)}  INGRESS   EGRESS    PODS  NOT SELECTED  FINDINGS`));
  for (const entry of shown) {
    const name = `${entry.namespace}${entry.exempt ? '*' : ''}`.padEnd(width);
    out.push(
      `  ${name}  ${isolation(entry.ingressIsolated).padEnd(8)}  ${isolation(entry.egressIsolated).padEnd(8)}  ${String(entry.pods).padStart(4)}  ${String(entry.podsNotSelected).padStart(12)}  ${String(entry.findings).padStart(8)}`,
    );
    for (const policy of entry.admittingEverything) out.push(`      ${policy.name} admits everything for ${list(policy.directions)} on its own`);
    for (const group of entry.openGroups) {
      out.push(`      ${group.owner} (${plural(group.pods, 'pod')}): ${group.direction} open to everything through ${list(group.policies)} together, though each alone is narrow`);
    }
  }
  if (short.length > shown.length) out.push(paint('dim', `  and ${plural(short.length - shown.length, 'more namespace')} (--format json lists every namespace)`));
  if (shown.some((entry) => entry.exempt)) out.push(paint('dim', '  * exempt from network-isolation (exemptNamespaces, systemNamespaces): no default-deny asked of it'));
  return out;
}
