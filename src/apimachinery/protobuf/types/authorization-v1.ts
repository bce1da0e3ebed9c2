// Field facts of k8s.io/api authorization/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { listMessage, map, message, repeated, type MessageDef } from '../schema.js';

export const authorizationV1: MessageDef[] = [
  message('SelfSubjectAccessReview', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'SelfSubjectAccessReviewSpec'],
    3: ['status', 'SubjectAccessReviewStatus', 'o'],
  }),
  message('SelfSubjectAccessReviewSpec', {
    1: ['resourceAttributes', 'ResourceAttributes', 'op'],
    2: ['nonResourceAttributes', 'NonResourceAttributes', 'op'],
  }),
  message('ResourceAttributes', {
    1: ['namespace', 'string', 'o'],
    2: ['verb', 'string', 'o'],
    3: ['group', 'string', 'o'],
    4: ['version', 'string', 'o'],
    5: ['resource', 'string', 'o'],
    6: ['subresource', 'string', 'o'],
    7: ['name', 'string', 'o'],
    8: ['fieldSelector', 'FieldSelectorAttributes', 'op'],
    9: ['labelSelector', 'LabelSelectorAttributes', 'op'],
  }),
  message('FieldSelectorAttributes', {
    1: ['rawSelector', 'string', 'o'],
    2: ['requirements', repeated('FieldSelectorRequirement'), 'o'],
  }),
  message('LabelSelectorAttributes', {
    1: ['rawSelector', 'string', 'o'],
    2: ['requirements', repeated('LabelSelectorRequirement'), 'o'],
  }),
  message('NonResourceAttributes', {
    1: ['path', 'string', 'o'],
    2: ['verb', 'string', 'o'],
  }),
  message('SubjectAccessReviewStatus', {
    1: ['allowed', 'bool'],
    4: ['denied', 'bool', 'o'],
    2: ['reason', 'string', 'o'],
    3: ['evaluationError', 'string', 'o'],
  }),
  message('SubjectAccessReview', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'SubjectAccessReviewSpec'],
    3: ['status', 'SubjectAccessReviewStatus', 'o'],
  }),
  message('SubjectAccessReviewSpec', {
    1: ['resourceAttributes', 'ResourceAttributes', 'op'],
    2: ['nonResourceAttributes', 'NonResourceAttributes', 'op'],
    3: ['user', 'string', 'o'],
    4: ['groups', repeated('string'), 'o'],
    5: ['extra', map('string', 'authorization.v1.ExtraValue'), 'o'],
    6: ['uid', 'string', 'o'],
  }),
  listMessage('authorization.v1.ExtraValue', 'string'),
  message('LocalSubjectAccessReview', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'SubjectAccessReviewSpec'],
    3: ['status', 'SubjectAccessReviewStatus', 'o'],
  }),
  message('SelfSubjectRulesReview', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'SelfSubjectRulesReviewSpec'],
    3: ['status', 'SubjectRulesReviewStatus', 'o'],
  }),
  message('SelfSubjectRulesReviewSpec', {
    1: ['namespace', 'string', 'o'],
  }),
  message('SubjectRulesReviewStatus', {
    1: ['resourceRules', repeated('ResourceRule')],
    2: ['nonResourceRules', repeated('NonResourceRule')],
    3: ['incomplete', 'bool'],
    4: ['evaluationError', 'string', 'o'],
  }),
  message('ResourceRule', {
    1: ['verbs', repeated('string')],
    2: ['apiGroups', repeated('string'), 'o'],
    3: ['resources', repeated('string'), 'o'],
    4: ['resourceNames', repeated('string'), 'o'],
  }),
  message('NonResourceRule', {
    1: ['verbs', repeated('string')],
    2: ['nonResourceURLs', repeated('string'), 'o'],
  }),
];
