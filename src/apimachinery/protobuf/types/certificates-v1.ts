// Field facts of k8s.io/api certificates/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { listMessage, map, message, repeated, type MessageDef } from '../schema.js';

export const certificatesV1: MessageDef[] = [
  message('CertificateSigningRequest', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'CertificateSigningRequestSpec'],
    3: ['status', 'CertificateSigningRequestStatus', 'o'],
  }),
  message('CertificateSigningRequestSpec', {
    1: ['request', 'bytes'],
    7: ['signerName', 'string'],
    8: ['expirationSeconds', 'int32', 'op'],
    5: ['usages', repeated('string'), 'o'],
    2: ['username', 'string', 'o'],
    3: ['uid', 'string', 'o'],
    4: ['groups', repeated('string'), 'o'],
    6: ['extra', map('string', 'certificates.v1.ExtraValue'), 'o'],
  }),
  listMessage('certificates.v1.ExtraValue', 'string'),
  message('CertificateSigningRequestStatus', {
    1: ['conditions', repeated('CertificateSigningRequestCondition'), 'o'],
    2: ['certificate', 'bytes', 'o'],
  }),
  message('CertificateSigningRequestCondition', {
    1: ['type', 'string'],
    6: ['status', 'string'],
    2: ['reason', 'string', 'o'],
    3: ['message', 'string', 'o'],
    4: ['lastUpdateTime', 'Time', 'o'],
    5: ['lastTransitionTime', 'Time', 'o'],
  }),
];
