/** Endpoints and EndpointSlice ports default as Kubernetes defaults them (protocol TCP, slice port name ""). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/meta.js';
import { builtinRegistry } from '../../src/api/registry.js';

const registry = builtinRegistry();

describe('endpoint port defaults', () => {
  test('Endpoints subset ports get protocol TCP; a given protocol stays', () => {
    const ep: KubeObject & Record<string, unknown> = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web' },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }],
    };
    registry.lookup('', 'v1', 'endpoints')!.defaults!(ep);
    assert.deepEqual((ep['subsets'] as { ports: unknown[] }[])[0]!.ports, [
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ]);
  });

  test('EndpointSlice ports get protocol TCP and an empty name', () => {
    const slice: KubeObject & Record<string, unknown> = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abc' },
      addressType: 'IPv4',
      endpoints: [],
      ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }],
    };
    registry.lookup('discovery.k8s.io', 'v1', 'endpointslices')!.defaults!(slice);
    assert.deepEqual(slice['ports'], [
      { port: 80, name: '', protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ]);
  });
});
