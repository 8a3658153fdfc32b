// Pod subresources Pod Security Admission ignores (k8s.io/pod-security-admission, admission/admission.go,
// `ignoredPodSubresources`): they read a pod, connect to it, bind or evict it, or report its status,
// and never change its spec. Every other pod subresource, `ephemeralcontainers` and `resize` today and
// any added later, is expected to carry a Pod and is judged, so that a new way to change a pod is
// never a way around the checks, whichever Kubernetes version policygate runs against.
export const IGNORED_POD_SUBRESOURCES: ReadonlySet<string> = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);
