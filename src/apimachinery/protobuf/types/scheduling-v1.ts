// Field facts of k8s.io/api scheduling/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { message, type MessageDef } from '../schema.js';

export const schedulingV1: MessageDef[] = [
  message('PriorityClass', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['value', 'int32'],
    3: ['globalDefault', 'bool', 'o'],
    4: ['description', 'string', 'o'],
    5: ['preemptionPolicy', 'string', 'op'],
  }),
];
