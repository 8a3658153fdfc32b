/*
 * sysctls (baseline, since v1.0; allow-list grows at v1.27, v1.29, v1.32 and v1.37)
 *
 * Sysctls can disable security mechanisms or affect all containers on a host, and should be
 * disallowed except for an allowed "safe" subset: sysctls namespaced in the container or the pod,
 * and isolated from other pods and processes on the same node.
 * Restricted field: spec.securityContext.sysctls[*].name
 * Allowed values:
 *   v1.0+:  kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies,
 *           net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start
 *   v1.27+: net.ipv4.ip_local_reserved_ports
 *   v1.29+: net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl,
 *           net.ipv4.tcp_keepalive_probes
 *   v1.32+: net.ipv4.tcp_rmem, net.ipv4.tcp_wmem
 *   v1.37+: net.ipv4.tcp_slow_start_after_idle, net.ipv4.tcp_notsent_lowat
 * PSA's detail lists the forbidden names unquoted, in spec order, repeats included.
 */
import { ALLOWED, forbidden, type CheckPodFn, type CheckVersion, type PodSecurityCheck } from '../check.js';

/** Names added at each version; each variant allows its own names and every older one. */
const ADDED_SYSCTLS: readonly (readonly [minimumMinor: number, names: readonly string[]])[] = [
  [0, ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start']],
  [27, ['net.ipv4.ip_local_reserved_ports']],
  [29, ['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']],
  [32, ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  [37, ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

function sysctlsCheck(allowed: ReadonlySet<string>): CheckPodFn {
  return (pod) => {
    const sysctls: unknown = pod.spec.securityContext?.sysctls;
    if (!Array.isArray(sysctls)) return ALLOWED;
    let names: string[] | undefined;
    let paths: string[] | undefined;
    for (let i = 0; i < sysctls.length; i++) {
      // A missing or non-string name reads as "" (Go's zero value), which no version allows.
      const name: unknown = (sysctls[i] as { name?: unknown } | null | undefined)?.name;
      const text = typeof name === 'string' ? name : '';
      if (allowed.has(text)) continue;
      (names ??= []).push(text);
      (paths ??= []).push(`${pod.specPath}.securityContext.sysctls[${i}].name`);
    }
    if (!names || !paths) return ALLOWED;
    return forbidden('forbidden sysctls', names.join(', '), paths);
  };
}

function buildVersions(): CheckVersion[] {
  const versions: CheckVersion[] = [];
  const allowed = new Set<string>();
  for (const [minimumMinor, names] of ADDED_SYSCTLS) {
    for (const name of names) allowed.add(name);
    versions.push({ minimumMinor, checkPod: sysctlsCheck(new Set(allowed)) });
  }
  return versions;
}

export const sysctls: PodSecurityCheck = {
  id: 'sysctls',
  level: 'baseline',
  fields: 'pod',
  description: 'Pods may set only the sysctls known to be namespaced and isolated from other pods.',
  versions: buildVersions(),
};
