// Field facts of k8s.io/api rbac/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { message, repeated, type MessageDef } from '../schema.js';

export const rbacV1: MessageDef[] = [
  message('Role', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['rules', repeated('PolicyRule')],
  }),
  message('PolicyRule', {
    1: ['verbs', repeated('string')],
    2: ['apiGroups', repeated('string'), 'o'],
    3: ['resources', repeated('string'), 'o'],
    4: ['resourceNames', repeated('string'), 'o'],
    5: ['nonResourceURLs', repeated('string'), 'o'],
  }),
  message('RoleBinding', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['subjects', repeated('Subject'), 'o'],
    3: ['roleRef', 'RoleRef'],
  }),
  message('Subject', {
    1: ['kind', 'string'],
    2: ['apiGroup', 'string', 'o'],
    3: ['name', 'string'],
    4: ['namespace', 'string', 'o'],
  }),
  message('RoleRef', {
    1: ['apiGroup', 'string'],
    2: ['kind', 'string'],
    3: ['name', 'string'],
  }),
  message('ClusterRole', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['rules', repeated('PolicyRule')],
    3: ['aggregationRule', 'AggregationRule', 'op'],
  }),
  message('AggregationRule', {
    1: ['clusterRoleSelectors', repeated('LabelSelector'), 'o'],
  }),
  message('ClusterRoleBinding', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['subjects', repeated('Subject'), 'o'],
    3: ['roleRef', 'RoleRef'],
  }),
];
