// Exceptions inside the Pod Security evaluation, so that what is not excepted keeps PSA's exact verdict.
//
// - An exception without `containers` or `images` excepts a failing check whole.
// - One with `containers` or `images` excepts the fields of the containers it matches, and nothing at
//   pod level. The check is judged again on the same pod with those containers left out (their list
//   entries replaced by null, which every container visitor skips, so the others keep their indexes
//   and field paths; their `container.*/<name>` annotations left out with them): a check that still
//   fails gives PSA's message worded over the containers that remain, one that passes is excepted.
//   The fields that dropped out of the failure are recorded as excepted, each under the exception of
//   its container, with the message PSA would have given without the exception.
//
// Nothing here runs unless an exception applies to the object: the evaluation without exceptions is
// the same code, at the same speed, as before exceptions existed.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { covers, type CompiledException } from '../exceptions/compile.js';
import { wholeFindingException } from '../exceptions/match.js';
import { isRecord } from '../is-record.js';
import type { CheckId, CheckResult, PodUnderReview } from './check.js';
import { ANNOTATION_PREFIX as APPARMOR_CONTAINER_PREFIX } from './checks/app-armor-profile.js';
import { CONTAINER_ANNOTATION_PREFIX as SECCOMP_CONTAINER_PREFIX } from './checks/seccomp-profile-baseline.js';
import { containerName, containerPath, type ContainerList } from './containers.js';
import { failureOf, type CheckFailure } from './evaluate.js';
import { mapEntryPath } from './format.js';
import { checkPodAt } from './registry.js';

const RULE = 'pod-security';
const LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];
/** Annotations that belong to one container, by name. */
const CONTAINER_ANNOTATION_PREFIXES = [APPARMOR_CONTAINER_PREFIX, SECCOMP_CONTAINER_PREFIX];

/** A container of the pod, with the narrowed exceptions that match it (configuration order). */
interface Container {
  list: ContainerList;
  index: number;
  name: string;
  /** `spec.containers[1]`: its fields' paths start with this and a dot. */
  path: string;
  exceptions: readonly CompiledException[];
}

/** A container whose fields one exception excepts for one check. */
interface ExceptedContainer {
  container: Container;
  exception: CompiledException;
}

function imageOf(container: V1Container): string {
  const image: unknown = container.image;
  return typeof image === 'string' ? image : '';
}

function matchesContainer(exception: CompiledException, name: string, image: string): boolean {
  return (exception.containers === undefined || exception.containers(name)) && (exception.images === undefined || exception.images(image));
}

export class PodExceptions {
  private readonly whole: readonly CompiledException[];
  private readonly narrowing: readonly CompiledException[];
  private containersCache: Container[] | undefined;
  private readonly exceptedByCheck = new Map<CheckId, ExceptedContainer[]>();
  private readonly narrowedPods = new Map<string, PodUnderReview>();
  /** The check judged on the narrowed pod, by minor version and check. */
  private readonly rejudged = new Map<string, CheckResult>();
  /** apply()'s answer per failure list: the evaluation asks again for each mode at the same level. */
  private readonly applied = new Map<readonly CheckFailure[], CheckFailure[]>();

  /** `exceptions`: those that apply to the object (exceptionsFor), in the configuration's order. */
  constructor(
    private readonly pod: PodUnderReview,
    exceptions: readonly CompiledException[],
  ) {
    this.whole = exceptions.filter((exception) => !exception.narrowed);
    this.narrowing = exceptions.filter((exception) => exception.narrowed);
  }

  /**
   * The failures of one evaluation at v1.`minor` with the exceptions applied: each failure as it was,
   * or excepted (`exception` set), or narrowed to the containers that remain followed by what was
   * excepted of it.
   */
  apply(failures: readonly CheckFailure[], minor: number): CheckFailure[] {
    let result = this.applied.get(failures);
    if (result) return result;
    result = [];
    for (const failure of failures) {
      const whole = wholeFindingException(this.whole, RULE, failure.check);
      if (whole) {
        result.push({ ...failure, exception: whole.name });
        continue;
      }
      const excepted = this.exceptedContainers(failure.check);
      if (excepted.length === 0) result.push(failure);
      else result.push(...this.narrow(failure, excepted, minor));
    }
    this.applied.set(failures, result);
    return result;
  }

  private containers(): Container[] {
    if (this.containersCache) return this.containersCache;
    const containers: Container[] = [];
    const spec = this.pod.spec;
    for (const list of LISTS) {
      const entries: unknown = spec[list];
      if (!Array.isArray(entries)) continue;
      entries.forEach((entry: unknown, index) => {
        if (typeof entry !== 'object' || entry === null) return;
        const name = containerName(entry as V1Container);
        const image = imageOf(entry as V1Container);
        const exceptions = this.narrowing.filter((exception) => matchesContainer(exception, name, image));
        if (exceptions.length > 0) containers.push({ list, index, name, path: containerPath(this.pod.specPath, list, index), exceptions });
      });
    }
    return (this.containersCache = containers);
  }

  /** The containers whose fields are excepted for this check, each with the first exception that does it. */
  private exceptedContainers(check: CheckId): ExceptedContainer[] {
    let excepted = this.exceptedByCheck.get(check);
    if (excepted) return excepted;
    excepted = [];
    if (this.narrowing.length > 0) {
      for (const container of this.containers()) {
        const exception = container.exceptions.find((candidate) => covers(candidate, RULE, check));
        if (exception) excepted.push({ container, exception });
      }
    }
    this.exceptedByCheck.set(check, excepted);
    return excepted;
  }

  private narrow(failure: CheckFailure, excepted: readonly ExceptedContainer[], minor: number): CheckFailure[] {
    const key = `${minor}\u0000${failure.check}`;
    let result = this.rejudged.get(key);
    if (!result) {
      const checkPod = checkPodAt(failure.check, minor);
      // The failure came from this check at this version, so it exists; keep the failure if not.
      if (!checkPod) return [failure];
      result = checkPod(this.narrowedPod(excepted.map((entry) => entry.container)));
      this.rejudged.set(key, result);
    }
    const remaining = result.allowed ? undefined : failureOf(failure.check, result);
    const kept = new Set(remaining?.paths);
    const pathsByException = new Map<string, string[]>();
    for (const path of failure.paths) {
      if (kept.has(path)) continue;
      const name = (this.exceptionOfPath(path, excepted) ?? excepted[0]?.exception)?.name ?? '';
      const paths = pathsByException.get(name);
      if (paths) paths.push(path);
      else pathsByException.set(name, [path]);
    }
    const out: CheckFailure[] = remaining ? [remaining] : [];
    for (const [exception, paths] of pathsByException) out.push({ check: failure.check, reason: failure.reason, message: failure.message, paths, exception });
    // Excepted whole without a field to name (a failure without paths): still recorded.
    if (out.length === 0) out.push({ ...failure, exception: excepted[0]?.exception.name ?? '' });
    return out;
  }

  /** The exception of the container a field path belongs to: one of its fields, or one of its annotations. */
  private exceptionOfPath(path: string, excepted: readonly ExceptedContainer[]): CompiledException | undefined {
    for (const { container, exception } of excepted) if (path.startsWith(`${container.path}.`)) return exception;
    const annotations = `${this.pod.metadataPath}.annotations`;
    if (!path.startsWith(`${annotations}[`)) return undefined;
    for (const { container, exception } of excepted) {
      for (const prefix of CONTAINER_ANNOTATION_PREFIXES) if (path === mapEntryPath(annotations, prefix + container.name)) return exception;
    }
    return undefined;
  }

  /** The pod without these containers (null in their place) and without their per-container annotations. */
  private narrowedPod(left: readonly Container[]): PodUnderReview {
    const key = left.map((container) => container.path).join('\u0000');
    let narrowed = this.narrowedPods.get(key);
    if (narrowed) return narrowed;
    const spec: V1PodSpec = { ...this.pod.spec };
    for (const list of LISTS) {
      const leaving = new Set(left.filter((container) => container.list === list).map((container) => container.index));
      const entries: unknown = spec[list];
      if (leaving.size === 0 || !Array.isArray(entries)) continue;
      (spec as unknown as Record<string, unknown>)[list] = entries.map((entry: unknown, index) => (leaving.has(index) ? null : entry));
    }
    narrowed = { ...this.pod, spec, metadata: { ...this.pod.metadata, annotations: this.annotationsWithout(left, spec) } };
    this.narrowedPods.set(key, narrowed);
    return narrowed;
  }

  /** The pod's annotations without the per-container ones of containers that left (unless one that stays has the same name). */
  private annotationsWithout(left: readonly Container[], spec: V1PodSpec): Record<string, string> | undefined {
    const annotations = this.pod.metadata.annotations;
    if (!isRecord(annotations)) return annotations;
    const staying = new Set<string>();
    for (const list of LISTS) {
      const entries: unknown = spec[list];
      if (!Array.isArray(entries)) continue;
      for (const entry of entries as unknown[]) if (typeof entry === 'object' && entry !== null) staying.add(containerName(entry as V1Container));
    }
    const copy: Record<string, string> = { ...annotations };
    for (const { name } of left) {
      if (staying.has(name)) continue;
      for (const prefix of CONTAINER_ANNOTATION_PREFIXES) delete copy[prefix + name];
    }
    return copy;
  }
}
