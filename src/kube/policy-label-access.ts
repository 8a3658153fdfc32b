// Whether a user may change the labels policy-label-guard guards on a namespace, as the cluster's own
// authorization says: a SubjectAccessReview for the requesting user (name, uid, groups and extra, as
// the API server authenticated them) on the verb `update-policy-labels` of `namespaces.policygate.dev`,
// named and namespaced by the namespace (as the API server authorizes a request on a Namespace itself,
// so a RoleBinding inside a namespace can grant it for that namespace alone).
//
// Answers are kept briefly (10 s by default, in a bounded least-recently-used map keyed on the whole
// identity and the namespace), so a GitOps controller relabelling many namespaces, or kubectl retrying,
// costs one review per namespace; a binding that is added or removed takes effect within the TTL.
// Concurrent questions share one review. A review that cannot be made or answered (a timeout, a 403
// because the service account may not create SubjectAccessReviews, an API server that is down) throws:
// the rule fails closed. Failures are never cached.
import type { PolicyLabelAuthorizer, PolicyLabelDecision } from '../admission/types.js';
import { POLICY_LABEL_PERMISSION } from '../rules/policy-label-guard.js';
import type { UserInfo } from '../rules/types.js';
import { describeApiError, isTimeout } from './api-error.js';
import type { KubeJsonClient } from './json-client.js';

export interface PolicyLabelAccessOptions {
  client: KubeJsonClient;
  /** How long an answer is kept. Default 10 s. */
  ttlMs?: number;
  /** How many answers are kept; the least recently used go first. Default 4096. */
  maxEntries?: number;
  /** A review is abandoned after this long. Default 3 s: well under the webhook's 5 s timeout. */
  timeoutMs?: number;
  /** Monotonic milliseconds (tests). */
  now?: () => number;
  /** Told of every question: for the metrics. */
  onReview?: (source: 'cache' | 'api', result: 'allowed' | 'denied' | 'error') => void;
}

interface SubjectAccessReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

class AccessReviewFailure extends Error {
  override readonly name = 'AccessReviewFailure';
}

const SUBJECT_ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

/** The whole identity and the namespace: two users who differ in any of it never share an answer. */
function cacheKey(user: UserInfo, namespace: string): string {
  const extra = Object.entries(user.extra ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([namespace, user.username ?? '', user.uid ?? '', user.groups ?? [], extra]);
}

/** The review's spec, as the API server would build the attributes of a request by this user. */
export function subjectAccessReviewFor(user: UserInfo, namespace: string): unknown {
  const { group, resource, verb } = POLICY_LABEL_PERMISSION;
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      ...(user.username ? { user: user.username } : {}),
      ...(user.uid ? { uid: user.uid } : {}),
      ...(user.groups && user.groups.length > 0 ? { groups: user.groups } : {}),
      ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
      resourceAttributes: { group, resource, verb, name: namespace, namespace },
    },
  };
}

export class PolicyLabelAccessReviews implements PolicyLabelAuthorizer {
  private readonly answers = new Map<string, { decision: PolicyLabelDecision; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<PolicyLabelDecision>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: PolicyLabelAccessOptions) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 4096;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.now = options.now ?? (() => performance.now());
  }

  authorize(user: UserInfo, namespace: string): PolicyLabelDecision | Promise<PolicyLabelDecision> {
    const key = cacheKey(user, namespace);
    const cached = this.answers.get(key);
    if (cached && cached.expiresAt > this.now()) {
      // Most recently used goes last: the map's order is the eviction order.
      this.answers.delete(key);
      this.answers.set(key, cached);
      this.options.onReview?.('cache', cached.decision.allowed ? 'allowed' : 'denied');
      return cached.decision;
    }
    if (cached) this.answers.delete(key);
    let review = this.inFlight.get(key);
    if (!review) {
      review = this.review(user, namespace, key).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, review);
    }
    return review;
  }

  /** Answers kept now (for tests and the metrics). */
  size(): number {
    return this.answers.size;
  }

  private async review(user: UserInfo, namespace: string, key: string): Promise<PolicyLabelDecision> {
    let decision: PolicyLabelDecision;
    try {
      decision = await this.ask(user, namespace);
    } catch (error) {
      this.options.onReview?.('api', 'error');
      throw error;
    }
    this.options.onReview?.('api', decision.allowed ? 'allowed' : 'denied');
    this.answers.set(key, { decision, expiresAt: this.now() + this.ttlMs });
    while (this.answers.size > this.maxEntries) {
      const oldest = this.answers.keys().next().value;
      if (oldest === undefined) break;
      this.answers.delete(oldest);
    }
    return decision;
  }

  private async ask(user: UserInfo, namespace: string): Promise<PolicyLabelDecision> {
    // The API server refuses a review with neither a user nor a group; such a request has no one to allow.
    if (!user.username && (user.groups ?? []).length === 0) return { allowed: false, reason: 'the request names no user' };
    let answer: { status?: SubjectAccessReviewStatus } | undefined;
    try {
      answer = (await this.options.client.request('POST', SUBJECT_ACCESS_REVIEWS, { body: subjectAccessReviewFor(user, namespace), timeoutMs: this.timeoutMs })) as typeof answer;
    } catch (error) {
      if (isTimeout(error)) throw new AccessReviewFailure(`the SubjectAccessReview timed out after ${this.timeoutMs} ms`);
      throw new AccessReviewFailure(`the SubjectAccessReview failed: ${describeApiError(error)}`);
    }
    const status = answer?.status;
    if (typeof status?.allowed !== 'boolean') throw new AccessReviewFailure('the SubjectAccessReview came back without status.allowed');
    // Not allowed is a denial, whatever else the authorizers said, as for the API server's own requests:
    // RBAC reports a binding to a missing role as an evaluationError and still decides.
    return { allowed: status.allowed, reason: status.reason || status.evaluationError?.slice(0, 200) || undefined };
  }
}
