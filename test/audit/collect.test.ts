// The collector's state is bounded by what the report says, not by the cluster: pods are folded into
// their owners' lines as they are judged and nothing of them is kept; a kind whose listing starts again
// is taken back out of every line it fed.
import { describe, expect, it } from 'vitest';
import { AuditCollector } from '../../src/audit/index.js';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import type { KubeObject } from '../../src/rules/types.js';
import { namespace, owner, pod, workload } from './helpers.js';

const deployment = (ns: string) => workload('apps/v1', 'Deployment', ns, 'web', { privileged: true });
const replicaSet = (ns: string) => workload('apps/v1', 'ReplicaSet', ns, 'web-5d8f', { privileged: true, owner: owner('apps/v1', 'Deployment', 'web') });
const podsOf = (ns: string, count: number, from = 0): KubeObject[] =>
  Array.from({ length: count }, (_, index) => pod(ns, `web-5d8f-${from + index}`, { privileged: true, owner: owner('apps/v1', 'ReplicaSet', 'web-5d8f') }));

/** A collector fed as the listing feeds it: Namespaces, the owners, then the owners are settled. */
function collectorWithOwners(namespaces: string[]): AuditCollector {
  const collector = new AuditCollector(DEFAULT_CONFIG, { source: 'test' });
  for (const ns of namespaces) collector.add(namespace(ns));
  for (const ns of namespaces) collector.add(deployment(ns));
  for (const ns of namespaces) collector.add(replicaSet(ns));
  collector.settleOwners();
  return collector;
}

describe('the audit collector', () => {
  it('keeps the same state for 10 pods or 10,000 of the same Deployment: one line, counting them', () => {
    const small = collectorWithOwners(['team-a']);
    for (const object of podsOf('team-a', 10)) small.add(object);
    const large = collectorWithOwners(['team-a']);
    for (const object of podsOf('team-a', 10_000)) large.add(object);

    expect(large.retained).toEqual(small.retained);
    expect(large.retained).toEqual({ lines: small.retained.lines, workloads: 2, waiting: 0, namespaces: 1 });
    const [line] = large.finish().results.filter((result) => result.check === 'privileged');
    expect(line).toMatchObject({ kind: 'Deployment', name: 'web', own: true, owned: { Pod: 10_000, ReplicaSet: 1 } });
  });

  it('keeps workloads waiting only until their owners are settled, then folds them', () => {
    const collector = new AuditCollector(DEFAULT_CONFIG, { source: 'test' });
    collector.add(namespace('team-a'));
    collector.add(deployment('team-a'));
    collector.add(replicaSet('team-a'));
    expect(collector.retained).toMatchObject({ lines: 0, waiting: 2 });
    collector.settleOwners();
    expect(collector.retained).toMatchObject({ waiting: 0 });
    expect(collector.retained.lines).toBeGreaterThan(0);
  });

  it('grows with namespaces and their lines, not with their pods', () => {
    const names = (count: number) => Array.from({ length: count }, (_, index) => `team-${index}`);
    const fewPods = collectorWithOwners(names(50));
    for (const ns of names(50)) for (const object of podsOf(ns, 2)) fewPods.add(object);
    const manyPods = collectorWithOwners(names(50));
    for (const ns of names(50)) for (const object of podsOf(ns, 200)) manyPods.add(object);
    expect(manyPods.retained).toEqual(fewPods.retained);
    expect(manyPods.retained.workloads).toBe(100);
  });

  it('takes a restarted kind back out of every line: the pods listed again are counted once', () => {
    const once = collectorWithOwners(['team-a']);
    for (const object of podsOf('team-a', 30)) once.add(object);

    const restarted = collectorWithOwners(['team-a']);
    // A bare pod (its own line) and 20 owned pods, then the continue token expires.
    restarted.add(pod('team-a', 'debug', { privileged: true }));
    for (const object of podsOf('team-a', 20)) restarted.add(object);
    restarted.discard('v1', 'Pod');
    restarted.addNote('restarted');
    for (const object of podsOf('team-a', 30)) restarted.add(object);

    const expected = once.finish();
    const report = restarted.finish();
    expect(report.results).toEqual(expected.results);
    expect(report.listed).toEqual(expected.listed);
    expect(report.summary).toEqual(expected.summary);
  });

  it('refuses to add or discard a kind that owns others once the owners are settled', () => {
    const collector = collectorWithOwners(['team-a']);
    expect(() => collector.add(workload('apps/v1', 'Deployment', 'team-a', 'late'))).toThrow('Deployment listed after the owners were settled');
    expect(() => collector.discard('apps/v1', 'ReplicaSet')).toThrow('cannot discard ReplicaSet after the owners were settled');
  });
});
