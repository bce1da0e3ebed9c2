// Field facts of k8s.io/api policy/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { map, message, repeated, type MessageDef } from '../schema.js';

export const policyV1: MessageDef[] = [
  message('PodDisruptionBudget', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'PodDisruptionBudgetSpec', 'o'],
    3: ['status', 'PodDisruptionBudgetStatus', 'o'],
  }),
  message('PodDisruptionBudgetSpec', {
    1: ['minAvailable', 'IntOrString', 'op'],
    2: ['selector', 'LabelSelector', 'op'],
    3: ['maxUnavailable', 'IntOrString', 'op'],
    4: ['unhealthyPodEvictionPolicy', 'string', 'op'],
  }),
  message('PodDisruptionBudgetStatus', {
    1: ['observedGeneration', 'int64', 'o'],
    2: ['disruptedPods', map('string', 'Time'), 'o'],
    3: ['disruptionsAllowed', 'int32'],
    4: ['currentHealthy', 'int32'],
    5: ['desiredHealthy', 'int32'],
    6: ['expectedPods', 'int32'],
    7: ['conditions', repeated('Condition'), 'o'],
  }),
  message('Eviction', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['deleteOptions', 'DeleteOptions', 'op'],
  }),
];
