// Field facts of k8s.io/apimachinery pkg/apis/meta/v1 at v0.36.3 (40bf4b2b62f8): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { map, message, repeated, type MessageDef } from '../schema.js';

export const metaV1: MessageDef[] = [
  message('DeleteOptions', {
    1: ['gracePeriodSeconds', 'int64', 'op'],
    2: ['preconditions', 'Preconditions', 'op'],
    3: ['orphanDependents', 'bool', 'op'],
    4: ['propagationPolicy', 'string', 'op'],
    5: ['dryRun', repeated('string'), 'o'],
    6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'op'],
  }),
  message('Preconditions', {
    1: ['uid', 'string', 'op'],
    2: ['resourceVersion', 'string', 'op'],
  }),
  message('ObjectMeta', {
    1: ['name', 'string', 'o'],
    2: ['generateName', 'string', 'o'],
    3: ['namespace', 'string', 'o'],
    4: ['selfLink', 'string', 'o'],
    5: ['uid', 'string', 'o'],
    6: ['resourceVersion', 'string', 'o'],
    7: ['generation', 'int64', 'o'],
    8: ['creationTimestamp', 'Time', 'oz'],
    9: ['deletionTimestamp', 'Time', 'op'],
    10: ['deletionGracePeriodSeconds', 'int64', 'op'],
    11: ['labels', map('string', 'string'), 'o'],
    12: ['annotations', map('string', 'string'), 'o'],
    13: ['ownerReferences', repeated('OwnerReference'), 'o'],
    14: ['finalizers', repeated('string'), 'o'],
    17: ['managedFields', repeated('ManagedFieldsEntry'), 'o'],
  }),
  message('OwnerReference', {
    5: ['apiVersion', 'string'],
    1: ['kind', 'string'],
    3: ['name', 'string'],
    4: ['uid', 'string'],
    6: ['controller', 'bool', 'op'],
    7: ['blockOwnerDeletion', 'bool', 'op'],
  }),
  message('ManagedFieldsEntry', {
    1: ['manager', 'string', 'o'],
    2: ['operation', 'string', 'o'],
    3: ['apiVersion', 'string', 'o'],
    4: ['time', 'Time', 'op'],
    6: ['fieldsType', 'string', 'o'],
    7: ['fieldsV1', 'FieldsV1', 'op'],
    8: ['subresource', 'string', 'o'],
  }),
  message('Condition', {
    1: ['type', 'string'],
    2: ['status', 'string'],
    3: ['observedGeneration', 'int64', 'o'],
    4: ['lastTransitionTime', 'Time'],
    5: ['reason', 'string'],
    6: ['message', 'string'],
  }),
  message('LabelSelector', {
    1: ['matchLabels', map('string', 'string'), 'o'],
    2: ['matchExpressions', repeated('LabelSelectorRequirement'), 'o'],
  }),
  message('LabelSelectorRequirement', {
    1: ['key', 'string'],
    2: ['operator', 'string'],
    3: ['values', repeated('string'), 'o'],
  }),
  message('FieldSelectorRequirement', {
    1: ['key', 'string'],
    2: ['operator', 'string'],
    3: ['values', repeated('string'), 'o'],
  }),
];
