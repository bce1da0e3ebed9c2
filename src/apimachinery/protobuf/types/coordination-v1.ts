// Field facts of k8s.io/api coordination/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { message, type MessageDef } from '../schema.js';

export const coordinationV1: MessageDef[] = [
  message('Lease', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'LeaseSpec', 'o'],
  }),
  message('LeaseSpec', {
    1: ['holderIdentity', 'string', 'op'],
    2: ['leaseDurationSeconds', 'int32', 'op'],
    3: ['acquireTime', 'MicroTime', 'op'],
    4: ['renewTime', 'MicroTime', 'op'],
    5: ['leaseTransitions', 'int32', 'op'],
    6: ['strategy', 'string', 'op'],
    7: ['preferredHolder', 'string', 'op'],
  }),
];
