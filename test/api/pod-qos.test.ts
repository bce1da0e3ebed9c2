/** A pod's QoS class and the pod defaults it depends on (requests from limits). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/apimachinery/meta.js';
import { podQosClass } from '../../src/api/core/pod-qos.js';
import { builtinRegistry } from '../../src/api/registry.js';

const container = (resources?: object) => ({ name: 'c', image: 'nginx:1.27', resources });

describe('pod QoS class', () => {
  test('BestEffort without cpu or memory requests or limits', () => {
    assert.equal(
      podQosClass({ containers: [container(), container({ requests: { 'ephemeral-storage': '1Gi' } })] }),
      'BestEffort',
    );
    assert.equal(podQosClass({ containers: [container({ requests: { cpu: '0' } })] }), 'BestEffort');
  });

  test('Guaranteed when every container limits cpu and memory and requests equal limits', () => {
    const both = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '1024Mi' } };
    assert.equal(podQosClass({ containers: [container(both), container(both)] }), 'Guaranteed');
    assert.equal(
      podQosClass({ containers: [container(both)], initContainers: [container(both)] }),
      'Guaranteed',
    );
  });

  test('Burstable otherwise', () => {
    assert.equal(podQosClass({ containers: [container({ requests: { cpu: '100m' } })] }), 'Burstable');
    assert.equal(
      podQosClass({
        containers: [
          container({ requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } }),
        ],
      }),
      'Burstable',
    );
    // One container without limits spoils Guaranteed for the pod.
    const both = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
    assert.equal(podQosClass({ containers: [container(both), container()] }), 'Burstable');
    assert.equal(podQosClass({ containers: [container({ limits: { cpu: '1' } })] }), 'Burstable');
  });

  test('pod defaulting: requests from limits, service links on, the class in status', () => {
    const pods = builtinRegistry().lookup('', 'v1', 'pods')!;
    const pod: KubeObject & Record<string, unknown> = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [container({ limits: { cpu: '1', memory: '1Gi' } })] },
    };
    pods.defaults!(pod);
    const spec = pod['spec'] as { enableServiceLinks: boolean; containers: { resources: object }[] };
    assert.deepEqual(spec.containers[0]!.resources, {
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '1', memory: '1Gi' },
    });
    assert.equal(spec.enableServiceLinks, true);
    assert.equal((pod['status'] as { qosClass: string }).qosClass, 'Guaranteed');
  });
});
