// The AdmissionReview wire format (admission.k8s.io/v1, and v1beta1 which has the same shape), as much
// of it as policygate reads or writes.
import type { ClusterContextSource, ContextPolicy, KubeObject, NamespaceInfo, NamespaceList, Operation, UserInfo } from '../rules/types.js';

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionApiVersion = (typeof ADMISSION_API_VERSIONS)[number];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo?: UserInfo;
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
}

export interface AdmissionReviewRequest {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

export interface AdmissionStatus {
  code: number;
  reason: 'Forbidden' | 'InternalError' | 'BadRequest';
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: AdmissionStatus;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patch?: string;
  patchType?: 'JSONPatch';
}

export interface AdmissionReviewResponse {
  apiVersion: AdmissionApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/**
 * Where the namespace of a namespaced object comes from: the server's watch-backed cache, the offline
 * checker's Namespaces-in-the-input, or nothing (no cluster). `undefined` means "not known: use the
 * configured defaults"; a thrown error means the lookup failed and enforcing rules must fail closed.
 */
export interface NamespaceLookup {
  get(name: string): Promise<NamespaceInfo | undefined> | NamespaceInfo | undefined;
}

export const NO_CLUSTER: NamespaceLookup = { get: () => undefined };

/**
 * The pods of one namespace, as plain JSON objects (at most `limit`): read when a Namespace UPDATE
 * makes its enforce level stricter. Rejects when `signal` aborts. Only the server has one (a cluster).
 */
export interface PodLister {
  list(namespace: string, options: { limit: number; signal: AbortSignal }): Promise<KubeObject[]>;
}

/** The cluster's answer for one user and one namespace: allowed or not, and why (from the authorizer). */
export interface PolicyLabelDecision {
  allowed: boolean;
  reason?: string | undefined;
}

/**
 * Whether a user may change the labels `policy-label-guard` guards on a namespace, as the cluster's
 * authorization says (a SubjectAccessReview). Synchronous when the answer is cached, a promise
 * otherwise; throws or rejects when the question cannot be answered, and the rule then fails closed.
 * Only the server has one (a cluster).
 */
export interface PolicyLabelAuthorizer {
  authorize(user: UserInfo, namespace: string): PolicyLabelDecision | Promise<PolicyLabelDecision>;
}

/**
 * Where `network-isolation`'s context comes from (RuleContext.cluster): the webhook's Namespace and
 * NetworkPolicy caches, or the offline checker's input. Each answer is synchronous when at hand and a
 * promise when it must be read; undefined, a throw or a rejection mean "not known", and the checks that
 * need it find nothing (the source logs why).
 */
export interface NetworkContextSource {
  readonly source: ClusterContextSource;
  namespaces(): NamespaceList | undefined | Promise<NamespaceList | undefined>;
  /** The policies that may select pods of the namespace (its own, and the cluster-scoped ones the source holds). */
  policies(namespace: string): readonly ContextPolicy[] | undefined | Promise<readonly ContextPolicy[] | undefined>;
}
