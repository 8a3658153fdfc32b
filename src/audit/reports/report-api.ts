// The two report APIs the periodic audit writes, with the same content: OpenReports
// (`openreports.io/v1alpha1` Report and ClusterReport, the default: Kyverno 1.15 moved its reports
// there) and the Policy working group's PolicyReports (`wgpolicyk8s.io/v1alpha2` PolicyReport and
// ClusterPolicyReport, which OpenReports succeeds). Their results have the same fields (policy, rule,
// result, message, resources, properties, timestamp); an OpenReports report also names its `source`.

export type ReportApiName = 'openreports.io' | 'wgpolicyk8s.io';

export interface ReportApi {
  name: ReportApiName;
  apiVersion: string;
  /** The namespaced kind and its REST resource. */
  kind: string;
  resource: string;
  /** The cluster-scoped kind (findings on cluster-scoped objects but Namespaces) and its resource. */
  clusterKind: string;
  clusterResource: string;
  /** Top-level fields every report of this API carries besides metadata, summary and results. */
  fields: Record<string, string>;
  /** For the warning when the API cannot be listed. */
  crdHint: string;
}

export const REPORT_APIS: Record<ReportApiName, ReportApi> = {
  'openreports.io': {
    name: 'openreports.io',
    apiVersion: 'openreports.io/v1alpha1',
    kind: 'Report',
    resource: 'reports',
    clusterKind: 'ClusterReport',
    clusterResource: 'clusterreports',
    fields: { source: 'policygate' },
    crdHint: 'is the openreports.io Report CRD installed? --policy-reports-api wgpolicyk8s.io writes PolicyReports instead',
  },
  'wgpolicyk8s.io': {
    name: 'wgpolicyk8s.io',
    apiVersion: 'wgpolicyk8s.io/v1alpha2',
    kind: 'PolicyReport',
    resource: 'policyreports',
    clusterKind: 'ClusterPolicyReport',
    clusterResource: 'clusterpolicyreports',
    fields: {},
    crdHint: 'is the wgpolicyk8s.io PolicyReport CRD installed?',
  },
};

export const REPORT_API_NAMES = Object.keys(REPORT_APIS) as ReportApiName[];

/** The collection of a report scope: a namespace's reports, or (namespace '') the cluster's. */
export function reportsPath(api: ReportApi, namespace: string): string {
  const root = `/apis/${api.apiVersion}`;
  return namespace === '' ? `${root}/${api.clusterResource}` : `${root}/namespaces/${encodeURIComponent(namespace)}/${api.resource}`;
}
