/**
 * Resources that are not stored: reviews answered from the authenticator and authorizer, the legacy
 * `bindings` collection, and ComponentStatus computed from health probes. Each is `virtual` and lists
 * only the verbs Kubernetes serves for it.
 */
import { arr, at, col, str } from '../printing.js';
import type { ResourceDefinition } from '../types.js';

const createOnly = (
  group: string,
  version: string,
  kind: string,
  resource: string,
  namespaced = false,
): ResourceDefinition => ({
  group,
  version,
  kind,
  resource,
  singular: kind.toLowerCase(),
  namespaced,
  verbs: ['create'],
  virtual: true,
});

/** Healthy / Unhealthy / Unknown from the Healthy condition, as kubectl's printer shows it. */
function componentStatusText(o: unknown): [string, string, string] {
  const c = arr(at(o, 'conditions')).find((x) => x['type'] === 'Healthy');
  if (!c) return ['Unknown', '', ''];
  const status = c['status'] === 'True' ? 'Healthy' : c['status'] === 'False' ? 'Unhealthy' : 'Unknown';
  return [status, str(c['message'], ''), str(c['error'], '')];
}

export const virtualResources: ResourceDefinition[] = [
  createOnly('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews'),
  createOnly('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews'),
  createOnly('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true),
  createOnly('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews'),
  createOnly('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews'),
  createOnly('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews'),
  // kubectl 1.27 asks v1beta1 for `auth whoami`; later versions try v1 first.
  createOnly('authentication.k8s.io', 'v1beta1', 'SelfSubjectReview', 'selfsubjectreviews'),
  createOnly('', 'v1', 'Binding', 'bindings', true),
  {
    group: '',
    version: 'v1',
    kind: 'ComponentStatus',
    resource: 'componentstatuses',
    singular: 'componentstatus',
    namespaced: false,
    shortNames: ['cs'],
    verbs: ['get', 'list'],
    virtual: true,
    columns: [
      col('Status', 'Status of the component conditions'),
      col('Message', 'Message of the component conditions'),
      col('Error', 'Error of the component conditions'),
    ],
    cells: (o) => componentStatusText(o),
  },
];
