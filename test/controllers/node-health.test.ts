/** The node lifecycle and taint eviction controllers' decisions, without a cluster. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lease, Node, NodeCondition, Taint, Toleration } from '../../src/client/objects.js';
import { matchingTolerations, toleratesTaint } from '../../src/api/core/taints.js';
import { observeHealth, silentNodeConditions } from '../../src/controllers/nodelifecycle/node-health.js';
import { swappedTaints } from '../../src/controllers/nodelifecycle/node-taints.js';
import {
  TokenBucket,
  ZoneTainter,
  computeZoneState,
  zoneKey,
} from '../../src/controllers/nodelifecycle/zones.js';
import { minTolerationMs } from '../../src/controllers/tainteviction/tainteviction-controller.js';

function node(conditions: Partial<NodeCondition>[], labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'n',
      uid: 'u',
      resourceVersion: '1',
      creationTimestamp: '2024-01-01T00:00:00Z',
      labels,
    },
    status: { conditions },
  } as unknown as Node;
}
const lease = (renewTime: string) => ({ spec: { renewTime } }) as unknown as Lease;
const ready = (heartbeat: string) => ({
  type: 'Ready',
  status: 'True',
  lastHeartbeatTime: heartbeat,
  lastTransitionTime: '2024-01-01T00:00:00Z',
});

describe('node health', () => {
  it('moves the probe time on a new heartbeat or lease renewal, not otherwise', () => {
    const n = node([ready('2024-01-01T00:00:10Z')]);
    let h = observeHealth(n, lease('2024-01-01T00:00:10.000000Z'), undefined, 1000);
    assert.equal(h.probeTimestamp, 1000);
    h = observeHealth(n, lease('2024-01-01T00:00:10.000000Z'), h, 5000);
    assert.equal(h.probeTimestamp, 1000, 'nothing changed');
    h = observeHealth(n, lease('2024-01-01T00:00:20.000000Z'), h, 9000);
    assert.equal(h.probeTimestamp, 9000, 'the lease was renewed');
    h = observeHealth(node([ready('2024-01-01T00:05:00Z')]), lease('2024-01-01T00:00:20.000000Z'), h, 12000);
    assert.equal(h.probeTimestamp, 12000, 'the status heartbeat moved');
  });

  it('counts a node that never posted status from its creation', () => {
    const n = node([]);
    const h = observeHealth(n, undefined, undefined, Date.parse('2024-01-01T00:10:00Z'));
    assert.equal(h.probeTimestamp, Date.parse('2024-01-01T00:00:00Z'));
  });

  it('sets the kubelet conditions Unknown, keeping heartbeats, adding the ones never posted', () => {
    const n = node([
      ready('2024-01-01T00:00:10Z'),
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
      { type: 'NetworkUnavailable', status: 'False' },
    ]);
    const conds = silentNodeConditions(n, '2024-01-01T00:01:00Z')!;
    const by = Object.fromEntries(conds.map((c) => [c.type, c]));
    assert.equal(by['Ready']!.status, 'Unknown');
    assert.equal(by['Ready']!.reason, 'NodeStatusUnknown');
    assert.equal(by['Ready']!.message, 'Kubelet stopped posting node status.');
    assert.equal(by['Ready']!.lastHeartbeatTime, '2024-01-01T00:00:10Z');
    assert.equal(by['Ready']!.lastTransitionTime, '2024-01-01T00:01:00Z');
    assert.equal(by['MemoryPressure']!.status, 'Unknown');
    assert.equal(by['DiskPressure']!.reason, 'NodeStatusNeverUpdated');
    assert.equal(by['DiskPressure']!.message, 'Kubelet never posted node status.');
    assert.equal(by['NetworkUnavailable']!.status, 'False', 'not the kubelet’s to report');
    assert.equal(silentNodeConditions(node(conds), '2024-01-01T00:02:00Z'), undefined, 'already Unknown');
  });
});

describe('zones', () => {
  const c = (status: string) => ({ type: 'Ready', status }) as NodeCondition;
  it('judges disruption as Kubernetes does', () => {
    assert.equal(computeZoneState([c('True'), c('Unknown')], 0.55).state, 'Normal');
    assert.equal(computeZoneState([c('Unknown'), c('False'), undefined], 0.55).state, 'FullDisruption');
    assert.equal(computeZoneState([c('True'), c('Unknown'), c('Unknown')], 0.55).state, 'Normal');
    assert.equal(
      computeZoneState([c('True'), c('Unknown'), c('Unknown'), c('False')], 0.55).state,
      'PartialDisruption',
    );
    assert.equal(zoneKey(node([])), '');
    assert.equal(
      zoneKey(node([], { 'topology.kubernetes.io/region': 'eu', 'topology.kubernetes.io/zone': 'a' })),
      'eu:\x00:a',
    );
  });

  it('taints queued nodes once each, as fast as the rate allows, and not at all at rate 0', async () => {
    const tainter = new ZoneTainter(new TokenBucket(0.001));
    const done: string[] = [];
    assert.ok(tainter.add('a'));
    assert.ok(tainter.add('b'));
    assert.equal(tainter.add('a'), false, 'queued already');
    await tainter.try((n) => {
      done.push(n);
      return Promise.resolve(true);
    });
    assert.deepEqual(done, ['a'], 'burst of one, then rate limited');
    assert.equal(tainter.add('a'), false, 'processed nodes stay known until removed');
    assert.ok(tainter.remove('a'));
    assert.ok(tainter.add('a'));
    tainter.limiter.setRate(0);
    await tainter.try((n) => {
      done.push(n);
      return Promise.resolve(true);
    });
    assert.deepEqual(done, ['a']);
  });
});

describe('taints and tolerations', () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  it('matches tolerations as Kubernetes does', () => {
    assert.ok(toleratesTaint({ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, unreachable));
    assert.ok(toleratesTaint({ operator: 'Exists' }, unreachable), 'empty key with Exists tolerates all');
    assert.ok(
      !toleratesTaint(
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' },
        unreachable,
      ),
    );
    assert.ok(
      toleratesTaint({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' as const }),
    );
    assert.ok(
      !toleratesTaint({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' as const }),
    );
    const t300: Toleration = {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      tolerationSeconds: 300,
    };
    assert.deepEqual(matchingTolerations([unreachable], [t300]), { all: true, used: [t300] });
    assert.deepEqual(matchingTolerations([unreachable, { key: 'x', effect: 'NoExecute' as const }], [t300]), {
      all: false,
      used: [],
    });
  });

  it('evicts after the shortest tolerationSeconds used, never without one, at once for 0', () => {
    assert.equal(minTolerationMs([{ tolerationSeconds: 300 }, { tolerationSeconds: 5 }]), 5000);
    assert.equal(minTolerationMs([{ operator: 'Exists' }]), -1);
    assert.equal(minTolerationMs([{ tolerationSeconds: 0 }]), 0);
    assert.equal(minTolerationMs([]), 0);
  });

  it('swaps taints, stamping the added ones and leaving equal ones be', () => {
    const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
    const existing: Taint[] = [
      { ...notReady, timeAdded: '2024-01-01T00:00:00Z' },
      { key: 'user', effect: 'NoSchedule' },
    ];
    assert.deepEqual(swappedTaints(existing, [unreachable], [notReady], 'T'), [
      { key: 'user', effect: 'NoSchedule' },
      { ...unreachable, timeAdded: 'T' },
    ]);
    assert.equal(swappedTaints(existing, [notReady], [unreachable], 'T'), undefined, 'nothing to change');
  });
});
