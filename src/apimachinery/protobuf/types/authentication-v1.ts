// Field facts of k8s.io/api authentication/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { listMessage, map, message, repeated, type MessageDef } from '../schema.js';

export const authenticationV1: MessageDef[] = [
  message('SelfSubjectReview', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['status', 'SelfSubjectReviewStatus', 'o'],
  }),
  message('SelfSubjectReviewStatus', {
    1: ['userInfo', 'UserInfo', 'o'],
  }),
  message('UserInfo', {
    1: ['username', 'string', 'o'],
    2: ['uid', 'string', 'o'],
    3: ['groups', repeated('string'), 'o'],
    4: ['extra', map('string', 'authentication.v1.ExtraValue'), 'o'],
  }),
  listMessage('authentication.v1.ExtraValue', 'string'),
  message('TokenRequest', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'TokenRequestSpec'],
    3: ['status', 'TokenRequestStatus', 'o'],
  }),
  message('TokenRequestSpec', {
    1: ['audiences', repeated('string')],
    4: ['expirationSeconds', 'int64', 'p'],
    3: ['boundObjectRef', 'BoundObjectReference', 'p'],
  }),
  message('BoundObjectReference', {
    1: ['kind', 'string', 'o'],
    2: ['apiVersion', 'string', 'o'],
    3: ['name', 'string', 'o'],
    4: ['uid', 'string', 'o'],
  }),
  message('TokenRequestStatus', {
    1: ['token', 'string'],
    2: ['expirationTimestamp', 'Time'],
  }),
  message('TokenReview', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'TokenReviewSpec'],
    3: ['status', 'TokenReviewStatus', 'o'],
  }),
  message('TokenReviewSpec', {
    1: ['token', 'string', 'o'],
    2: ['audiences', repeated('string'), 'o'],
  }),
  message('TokenReviewStatus', {
    1: ['authenticated', 'bool', 'o'],
    2: ['user', 'UserInfo', 'o'],
    4: ['audiences', repeated('string'), 'o'],
    3: ['error', 'string', 'o'],
  }),
];
