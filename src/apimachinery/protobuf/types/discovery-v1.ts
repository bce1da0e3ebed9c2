// Field facts of k8s.io/api discovery/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { map, message, repeated, type MessageDef } from '../schema.js';

export const discoveryV1: MessageDef[] = [
  message('EndpointSlice', {
    1: ['metadata', 'ObjectMeta', 'o'],
    4: ['addressType', 'string'],
    2: ['endpoints', repeated('Endpoint')],
    3: ['ports', repeated('discovery.v1.EndpointPort')],
  }),
  message('Endpoint', {
    1: ['addresses', repeated('string')],
    2: ['conditions', 'EndpointConditions', 'o'],
    3: ['hostname', 'string', 'op'],
    4: ['targetRef', 'ObjectReference', 'op'],
    5: ['deprecatedTopology', map('string', 'string'), 'o'],
    6: ['nodeName', 'string', 'op'],
    7: ['zone', 'string', 'op'],
    8: ['hints', 'EndpointHints', 'op'],
  }),
  message('EndpointConditions', {
    1: ['ready', 'bool', 'op'],
    2: ['serving', 'bool', 'op'],
    3: ['terminating', 'bool', 'op'],
  }),
  message('EndpointHints', {
    1: ['forZones', repeated('ForZone'), 'o'],
    2: ['forNodes', repeated('ForNode'), 'o'],
  }),
  message('ForZone', {
    1: ['name', 'string'],
  }),
  message('ForNode', {
    1: ['name', 'string'],
  }),
  message('discovery.v1.EndpointPort', {
    1: ['name', 'string', 'op'],
    2: ['protocol', 'string', 'op'],
    3: ['port', 'int32', 'op'],
    4: ['appProtocol', 'string', 'op'],
  }),
];
