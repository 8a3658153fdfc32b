// The embedded default configuration: what policygate runs with when no file is given, and the base
// every user file is laid over (a key the file leaves out keeps the value below; a list the file gives
// replaces the list below). It is parsed and validated by the same loader as a user's file, and the
// README shows it verbatim, so the comments are the documentation of each key.
export const DEFAULT_CONFIG_YAML = `# policygate configuration. One file for the webhook, the offline checker and the audit.
#
# Modes, for a rule and for each of its checks:
#   enforce  the webhook refuses the request
#   warn     the webhook allows it and returns a warning, which kubectl prints
#   audit    the webhook allows it silently; the API server's audit log records the finding
#   off      the check does not run
# The offline checker and the audit report every finding with its mode.
# A rule's mode is the ceiling for its checks: a check not listed under \`checks\` runs at its own
# default mode, capped by the rule's mode. A mode listed under \`checks\` overrides the rule's mode for
# that check, in either direction. \`off\` on the rule turns every check off.

rules:
  # Namespaces must carry these labels. Checks: missing-label, invalid-value.
  namespace-required-labels:
    mode: enforce
    labels:
      # Present and not blank. Only \`team\` by default: every organisation has an owner for a
      # namespace, while the values of an environment or a cost centre differ from one to the next.
      - key: team
      # More labels, as an organisation would add them:
      # - key: environment
      #   values: [dev, staging, prod]    # exact, case-sensitive
      #   default: dev                    # filled in by the mutating webhook when the label is absent
      # - key: cost-center
      #   pattern: "^[0-9]{4}$"           # always matched against the whole value
    # The namespaces Kubernetes creates itself, which no team owns.
    exemptNamespaces: [kube-system, kube-public, kube-node-lease]
    checks: {}

  # NetworkPolicy rules must not admit everyone on every port. Checks: allow-all-ingress and
  # allow-all-egress (enforce by default), allow-all-cluster-ingress and allow-all-cluster-egress
  # (every pod of every namespace; warn by default).
  network-policy-allow-all:
    mode: enforce
    # For example, to only warn about policies open to everyone:
    #   checks: {allow-all-ingress: warn, allow-all-egress: warn}
    checks: {}
    exemptNamespaces: []

  # Network policies judged together with their namespace and the cluster (the webhook's caches, the
  # input of \`check\`, the audit's live objects). Checks: selector-matches-nothing (a namespaceSelector
  # no namespace satisfies), egress-blocks-dns (pods isolated for egress without DNS) and
  # system-namespace-default-deny (every pod of a system namespace isolated), warn by default;
  # namespace-without-default-deny (a namespace whose pods are not all isolated), audit by default,
  # judged by check and audit only.
  network-isolation:
    mode: enforce
    # Namespaces whose own components a default-deny breaks: warned about, and never asked for one.
    systemNamespaces: [kube-system]
    # The direction every pod of a namespace must be isolated in: ingress, egress or both.
    defaultDenyDirection: ingress
    checks: {}
    # kube-public and kube-node-lease hold no workloads.
    exemptNamespaces: [kube-public, kube-node-lease]

  # The Pod Security Standards, judged as Kubernetes' Pod Security Admission judges them. A namespace's
  # pod-security.kubernetes.io/<mode> and <mode>-version labels choose its levels; these defaults
  # apply where a namespace has no label. Checks: PSA's check IDs (privileged, runAsNonRoot, ...),
  # which \`checks\` can lower or turn off but not raise above what the namespace's labels ask for,
  # and namespaceLabels (invalid pod-security labels on a Namespace).
  pod-security:
    mode: enforce
    defaults:
      enforce: baseline          # privileged | baseline | restricted
      enforce-version: latest    # latest | v1.N
      warn: restricted
      warn-version: latest
      audit: restricted
      audit-version: latest
    exemptions:
      usernames: []
      runtimeClassNames: []
      # kube-proxy, CNI and CSI node plugins run privileged in kube-system; enforcing baseline there
      # would refuse their next rollout.
      namespaces: [kube-system]
    checks: {}
    exemptNamespaces: []

  # Who may add, change or remove a Namespace's pod-security.kubernetes.io/* labels and
  # policygate.dev/mode labels (which lower policygate's modes for that namespace during a rollout).
  # Without this guard, anyone who may edit a namespace may switch its enforcement off.
  # Check: unauthorized-change. In a cluster the cluster's RBAC decides: whoever may
  # \`update-policy-labels\` on \`namespaces.policygate.dev\` (cluster-admin, or a binding of the
  # ClusterRole policygate-policy-labels). The principals below may as well, and are all that
  # decides where there is no cluster to ask (policygate check --user/--group, review).
  policy-label-guard:
    mode: enforce
    principals:
      users: []
      groups: [system:masters]
      serviceAccounts: []        # namespace/name, e.g. argocd/argocd-application-controller
    checks: {}
    exemptNamespaces: []

mutations:
  # Add each missing required Namespace label that has a \`default\`.
  namespaceLabelDefaults: true
  # Fill unset securityContext fields so that a plain pod meets restricted (seccompProfile
  # RuntimeDefault, runAsNonRoot, allowPrivilegeEscalation false, drop ALL capabilities). Off by
  # default: runAsNonRoot stops images that run as root from starting.
  podSecurityContextDefaults: false

# A zero-trust baseline kept in every namespace: with \`enabled\`, \`policygate serve\` (one replica at a
# time, by the Lease policygate-audit) creates these NetworkPolicies in every namespace that is not
# exempt, when the namespace appears and at start for those that exist. It labels them
# app.kubernetes.io/managed-by: policygate, never changes or deletes a policy it did not create, and
# brings its own back to this configuration. \`policygate baseline\` shows (or, with --apply, makes)
# the same changes once. Needs deploy/components/network-baseline (the RBAC to create policies).
networkBaseline:
  enabled: false
  # policygate's own namespace is exempt: a default-deny there would cut the webhook off from the API
  # server. kube-system hosts DNS and the control plane's add-ons, which a default-deny breaks.
  exemptNamespaces: [kube-system, kube-public, kube-node-lease, policygate]
  # Create a baseline policy again when someone deletes it. With false, a deleted one stays deleted
  # until policygate restarts or another replica takes the Lease.
  recreateDeleted: true
  policies:
    # Every pod of the namespace is isolated in both directions: only what another policy allows gets
    # through.
    - name: policygate-default-deny
      spec:
        podSelector: {}
        policyTypes: [Ingress, Egress]
    # ... except name lookups: DNS to the cluster's DNS pods (CoreDNS and kube-dns both carry
    # k8s-app: kube-dns), over UDP and TCP. With NodeLocal DNSCache, add its address as an ipBlock.
    - name: policygate-allow-dns
      spec:
        podSelector: {}
        policyTypes: [Egress]
        egress:
          - to:
              - namespaceSelector:
                  matchLabels:
                    kubernetes.io/metadata.name: kube-system
                podSelector:
                  matchLabels:
                    k8s-app: kube-dns
            ports:
              - protocol: UDP
                port: 53
              - protocol: TCP
                port: 53

# Exceptions for the workloads that cannot meet a check yet: their findings are recorded (check's and
# the audit's reports, audit annotations, the decision log), never enforced or warned about, until the
# exception expires. See "Exceptions" in the README. For example:
#   - name: node-agent-hostpath                # unique
#     reason: "vendor agent reads /var/log until v5 (OPS-1234)"
#     expires: 2027-03-31                      # valid through that day, UTC; or an RFC 3339 time
#     match:                                   # every field given must match; absent matches all
#       namespaces: [monitoring]
#       kinds: [DaemonSet]                     # the DaemonSet, and the pods it creates
#       names: ["node-agent*"]
#     checks: [pod-security/hostPathVolumes]   # rule/check or rule/*
#   - name: legacy-root
#     reason: "legacy image runs as root until it is rebuilt (APP-77)"
#     match:
#       namespaces: [shop]
#       containers: [legacy]                   # pod-security only: these containers' fields alone
#     checks: [pod-security/runAsNonRoot]
exceptions: []
`;
