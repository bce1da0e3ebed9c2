/** Which pods the pod garbage collector removes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from '../../src/client/objects.js';
import {
  OrphanQuarantine,
  terminatedPodsOverThreshold,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from '../../src/controllers/podgc/gc-selection.js';

function pod(
  name: string,
  opts: { phase?: string; reason?: string; created?: string; node?: string; deleting?: boolean } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z',
      ...(opts.deleting ? { deletionTimestamp: '2024-01-02T00:00:00Z' } : {}),
    },
    spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: { phase: opts.phase ?? 'Running', ...(opts.reason ? { reason: opts.reason } : {}) },
  } as unknown as Pod;
}

function node(name: string, ready: string, taints: string[] = []): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: name, resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { taints: taints.map((key) => ({ key, effect: 'NoExecute' })) },
    status: { conditions: [{ type: 'Ready', status: ready }] },
  } as unknown as Node;
}

describe('pod GC selection', () => {
  it('deletes terminated pods over the threshold: evicted first, then the oldest', () => {
    const pods = [
      pod('running', { phase: 'Running', created: '2020-01-01T00:00:00Z' }),
      pod('new-done', { phase: 'Succeeded', created: '2024-03-01T00:00:00Z' }),
      pod('old-done', { phase: 'Succeeded', created: '2024-01-01T00:00:00Z' }),
      pod('failed-b', { phase: 'Failed', created: '2024-02-01T00:00:00Z' }),
      pod('failed-a', { phase: 'Failed', created: '2024-02-01T00:00:00Z' }),
      pod('evicted', { phase: 'Failed', reason: 'Evicted', created: '2024-04-01T00:00:00Z' }),
    ];
    assert.deepEqual(terminatedPodsOverThreshold(pods, 5), []);
    assert.deepEqual(
      terminatedPodsOverThreshold(pods, 2).map((p) => p.metadata.name),
      ['evicted', 'old-done', 'failed-a'],
    );
    assert.deepEqual(terminatedPodsOverThreshold(pods, 0), [], 'a threshold of 0 disables it');
  });

  it('force-deletes terminating pods only on not-ready nodes tainted out-of-service', () => {
    const nodes = new Map([
      ['down', node('down', 'Unknown', ['node.kubernetes.io/out-of-service'])],
      ['silent', node('silent', 'Unknown')],
      ['up', node('up', 'True', ['node.kubernetes.io/out-of-service'])],
    ]);
    const pods = [
      pod('a', { node: 'down', deleting: true }),
      pod('b', { node: 'down' }),
      pod('c', { node: 'silent', deleting: true }),
      pod('d', { node: 'up', deleting: true }),
    ];
    assert.deepEqual(
      terminatingPodsOnOutOfServiceNodes(pods, nodes).map((p) => p.metadata.name),
      ['a'],
    );
  });

  it('deletes terminating pods that were never scheduled', () => {
    const pods = [pod('a', { deleting: true }), pod('b', { node: 'n', deleting: true }), pod('c')];
    assert.deepEqual(
      unscheduledTerminatingPods(pods).map((p) => p.metadata.name),
      ['a'],
    );
  });

  it('treats a node as gone only after it has been missing for the quarantine', () => {
    const q = new OrphanQuarantine(40_000);
    const pods = [pod('a', { node: 'gone' }), pod('b', { node: 'here' }), pod('c')];
    const existing = new Set(['here']);
    assert.deepEqual(q.due(pods, existing, 0), []);
    assert.deepEqual(q.due(pods, existing, 39_999), []);
    assert.deepEqual(q.due(pods, existing, 40_000), ['gone']);
    // It came back: the clock starts over if it goes missing again.
    assert.deepEqual(q.due(pods, new Set(['here', 'gone']), 50_000), []);
    assert.deepEqual(q.due(pods, existing, 60_000), []);
    assert.deepEqual(q.due(pods, existing, 100_000), ['gone']);
  });
});
