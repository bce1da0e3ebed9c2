// Field facts of k8s.io/api networking/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { message, repeated, type MessageDef } from '../schema.js';

export const networkingV1: MessageDef[] = [
  message('Ingress', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'IngressSpec', 'o'],
    3: ['status', 'IngressStatus', 'o'],
  }),
  message('IngressSpec', {
    4: ['ingressClassName', 'string', 'op'],
    1: ['defaultBackend', 'IngressBackend', 'op'],
    2: ['tls', repeated('IngressTLS'), 'o'],
    3: ['rules', repeated('IngressRule'), 'o'],
  }),
  message('IngressBackend', {
    4: ['service', 'IngressServiceBackend', 'op'],
    3: ['resource', 'TypedLocalObjectReference', 'op'],
  }),
  message('IngressServiceBackend', {
    1: ['name', 'string'],
    2: ['port', 'ServiceBackendPort', 'o'],
  }),
  message('ServiceBackendPort', {
    1: ['name', 'string', 'o'],
    2: ['number', 'int32', 'o'],
  }),
  message('IngressTLS', {
    1: ['hosts', repeated('string'), 'o'],
    2: ['secretName', 'string', 'o'],
  }),
  message('IngressRule', {
    1: ['host', 'string', 'o'],
    2: ['', 'IngressRuleValue', 'i'],
  }),
  message('IngressRuleValue', {
    1: ['http', 'HTTPIngressRuleValue', 'op'],
  }),
  message('HTTPIngressRuleValue', {
    1: ['paths', repeated('HTTPIngressPath')],
  }),
  message('HTTPIngressPath', {
    1: ['path', 'string', 'o'],
    3: ['pathType', 'string', 'p'],
    2: ['backend', 'IngressBackend'],
  }),
  message('IngressStatus', {
    1: ['loadBalancer', 'IngressLoadBalancerStatus', 'o'],
  }),
  message('IngressLoadBalancerStatus', {
    1: ['ingress', repeated('IngressLoadBalancerIngress'), 'o'],
  }),
  message('IngressLoadBalancerIngress', {
    1: ['ip', 'string', 'o'],
    2: ['hostname', 'string', 'o'],
    4: ['ports', repeated('IngressPortStatus'), 'o'],
  }),
  message('IngressPortStatus', {
    1: ['port', 'int32'],
    2: ['protocol', 'string'],
    3: ['error', 'string', 'op'],
  }),
  message('IngressClass', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'IngressClassSpec', 'o'],
  }),
  message('IngressClassSpec', {
    1: ['controller', 'string', 'o'],
    2: ['parameters', 'IngressClassParametersReference', 'op'],
  }),
  message('IngressClassParametersReference', {
    1: ['apiGroup', 'string', 'op'],
    2: ['kind', 'string'],
    3: ['name', 'string'],
    4: ['scope', 'string', 'p'],
    5: ['namespace', 'string', 'op'],
  }),
  message('NetworkPolicy', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'NetworkPolicySpec', 'o'],
  }),
  message('NetworkPolicySpec', {
    1: ['podSelector', 'LabelSelector'],
    2: ['ingress', repeated('NetworkPolicyIngressRule'), 'o'],
    3: ['egress', repeated('NetworkPolicyEgressRule'), 'o'],
    4: ['policyTypes', repeated('string'), 'o'],
  }),
  message('NetworkPolicyIngressRule', {
    1: ['ports', repeated('NetworkPolicyPort'), 'o'],
    2: ['from', repeated('NetworkPolicyPeer'), 'o'],
  }),
  message('NetworkPolicyPort', {
    1: ['protocol', 'string', 'op'],
    2: ['port', 'IntOrString', 'op'],
    3: ['endPort', 'int32', 'op'],
  }),
  message('NetworkPolicyPeer', {
    1: ['podSelector', 'LabelSelector', 'op'],
    2: ['namespaceSelector', 'LabelSelector', 'op'],
    3: ['ipBlock', 'IPBlock', 'op'],
  }),
  message('IPBlock', {
    1: ['cidr', 'string'],
    2: ['except', repeated('string'), 'o'],
  }),
  message('NetworkPolicyEgressRule', {
    1: ['ports', repeated('NetworkPolicyPort'), 'o'],
    2: ['to', repeated('NetworkPolicyPeer'), 'o'],
  }),
];
