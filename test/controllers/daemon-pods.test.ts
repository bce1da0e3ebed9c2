/** DaemonSet placement and update decisions as pure functions: taints, affinity, pinning, rolling steps. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet, Node, Pod, PodSpec, Taint } from '../../src/client/objects.js';
import { findUntoleratedTaint, toleratesTaint } from '../../src/api/core/node-fit.js';
import {
  nodeShouldRunDaemonPod,
  pinnedAffinity,
  targetNodeOf,
  withDaemonTolerations,
} from '../../src/controllers/daemonset/daemon-pods.js';
import { daemonSetStatus } from '../../src/controllers/daemonset/daemonset-controller.js';
import { planRollingUpdate, rollingLimits } from '../../src/controllers/daemonset/rolling-update.js';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  uid: `uid-${name}`,
  resourceVersion: '1',
  creationTimestamp: '2024-01-01T00:00:00Z',
  ...extra,
});

function node(name: string, opts: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(name, { labels: { 'kubernetes.io/hostname': name, ...opts.labels } }),
    spec: { taints: opts.taints },
  };
}

function daemonSet(spec: Partial<PodSpec> = {}, strategy: Record<string, unknown> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('ds', { namespace: 'default' }),
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c' }], ...spec } },
      updateStrategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0, ...strategy },
      },
    },
  };
}

function pod(name: string, nodeName: string, hash: string, ready = true): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, { namespace: 'default', labels: { 'controller-revision-hash': hash } }),
    spec: { nodeName, containers: [{ name: 'c' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

describe('taints and tolerations', () => {
  const taint: Taint = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };

  it('matches key, value and effect the way Kubernetes does', () => {
    assert.ok(
      toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }, taint),
    );
    assert.ok(toleratesTaint({ key: 'dedicated', value: 'x' }, taint), 'no effect tolerates every effect');
    assert.ok(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, taint));
    assert.ok(toleratesTaint({ operator: 'Exists' }, taint), 'an empty key with Exists tolerates everything');
    assert.ok(!toleratesTaint({ key: 'dedicated', value: 'y' }, taint));
    assert.ok(!toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint));
    assert.ok(!toleratesTaint({ key: 'other', operator: 'Exists' }, taint));
  });

  it('finds the first untolerated taint of the effects asked about', () => {
    const taints: Taint[] = [{ key: 'a', effect: 'PreferNoSchedule' }, taint];
    assert.equal(
      findUntoleratedTaint(taints, [], (t) => t.effect !== 'PreferNoSchedule'),
      taint,
    );
    assert.equal(
      findUntoleratedTaint(
        taints,
        [{ key: 'dedicated', operator: 'Exists' }],
        (t) => t.effect !== 'PreferNoSchedule',
      ),
      undefined,
    );
  });
});

describe('which nodes run a daemon pod', () => {
  const run = { shouldRun: true, shouldContinueRunning: true };
  const never = { shouldRun: false, shouldContinueRunning: false };

  it('runs on an untainted node', () => {
    assert.deepEqual(nodeShouldRunDaemonPod(node('n'), daemonSet()), run);
  });

  it('does not start on a NoSchedule-tainted node but lets a running pod stay; NoExecute removes it', () => {
    const tainted = node('n', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
    assert.deepEqual(nodeShouldRunDaemonPod(tainted, daemonSet()), {
      shouldRun: false,
      shouldContinueRunning: true,
    });
    const evicting = node('n', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }] });
    assert.deepEqual(nodeShouldRunDaemonPod(evicting, daemonSet()), never);
    const tolerant = daemonSet({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    assert.deepEqual(nodeShouldRunDaemonPod(evicting, tolerant), run);
    assert.deepEqual(
      nodeShouldRunDaemonPod(
        node('n', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
        daemonSet(),
      ),
      run,
    );
  });

  it('tolerates the node-condition taints every daemon pod gets (a cordoned or not-ready node still runs it)', () => {
    const cordoned = node('n', {
      taints: [
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
      ],
    });
    assert.deepEqual(nodeShouldRunDaemonPod(cordoned, daemonSet()), run);
    const noNetwork = node('n', {
      taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }],
    });
    assert.equal(nodeShouldRunDaemonPod(noNetwork, daemonSet()).shouldRun, false);
    assert.equal(nodeShouldRunDaemonPod(noNetwork, daemonSet({ hostNetwork: true })).shouldRun, true);
  });

  it('honours nodeSelector, required node affinity and a fixed nodeName', () => {
    const ssd = node('a', { labels: { disk: 'ssd', zone: '3' } });
    const hdd = node('b', { labels: { disk: 'hdd', zone: '1' } });
    const bySelector = daemonSet({ nodeSelector: { disk: 'ssd' } });
    assert.deepEqual(nodeShouldRunDaemonPod(ssd, bySelector), run);
    assert.deepEqual(nodeShouldRunDaemonPod(hdd, bySelector), never);
    const byAffinity = daemonSet({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['2'] }] }],
          },
        },
      },
    });
    assert.deepEqual(nodeShouldRunDaemonPod(ssd, byAffinity), run);
    assert.deepEqual(nodeShouldRunDaemonPod(hdd, byAffinity), never);
    assert.deepEqual(nodeShouldRunDaemonPod(hdd, daemonSet({ nodeName: 'a' })), never);
  });
});

describe('daemon pod spec', () => {
  it('pins the pod to its node with matchFields, keeping the terms’ label expressions', () => {
    assert.deepEqual(pinnedAffinity(undefined, 'n1'), {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
        },
      },
    });
    const expr = { key: 'disk', operator: 'In' as const, values: ['ssd'] };
    const a = pinnedAffinity(
      {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [expr] }, { matchExpressions: [expr] }],
          },
        },
      },
      'n2',
    );
    const terms = a.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
    assert.equal(terms.length, 2);
    for (const t of terms) {
      assert.deepEqual(t.matchExpressions, [expr]);
      assert.deepEqual(t.matchFields, [{ key: 'metadata.name', operator: 'In', values: ['n2'] }]);
    }
    const p = pod('p', '', 'h');
    p.spec = { containers: [], affinity: a };
    assert.equal(targetNodeOf(p), 'n2');
    assert.equal(targetNodeOf(pod('q', 'n3', 'h')), 'n3');
  });

  it('adds the default daemon tolerations once', () => {
    const keys = (s: PodSpec) => withDaemonTolerations(s).map((t) => `${t.key}:${t.effect}`);
    const plain = keys({ containers: [] });
    assert.deepEqual(plain, [
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    assert.ok(
      keys({ containers: [], hostNetwork: true }).includes(
        'node.kubernetes.io/network-unavailable:NoSchedule',
      ),
    );
    const again = withDaemonTolerations({
      containers: [],
      tolerations: withDaemonTolerations({ containers: [] }),
    });
    assert.equal(again.length, plain.length);
  });
});

describe('rolling update steps', () => {
  const nodes = (pods: Pod[], extra: string[] = []) => {
    const m = new Map<string, Pod[]>();
    for (const p of pods) m.set(p.spec!.nodeName!, [...(m.get(p.spec!.nodeName!) ?? []), p]);
    for (const n of extra) m.set(n, []);
    return m;
  };

  it('scales maxUnavailable and maxSurge, and allows one unavailable when both are 0', () => {
    assert.deepEqual(rollingLimits(daemonSet({}, { maxUnavailable: '10%' }), 15), {
      maxSurge: 0,
      maxUnavailable: 2,
    });
    assert.deepEqual(rollingLimits(daemonSet({}, { maxUnavailable: 0, maxSurge: 0 }), 3), {
      maxSurge: 0,
      maxUnavailable: 1,
    });
  });

  it('deletes as many old available pods as maxUnavailable allows, and every unavailable old pod', () => {
    const pods = [pod('a', 'n1', 'old'), pod('b', 'n2', 'old'), pod('c', 'n3', 'old', false)];
    const step = planRollingUpdate(daemonSet(), nodes(pods), 'new', 3, () => true);
    assert.deepEqual(step.createOnNodes, []);
    assert.deepEqual(
      step.deletePods.map((p) => p.metadata.name),
      ['c', 'a'],
    );
  });

  it('waits while an updated pod is not available yet', () => {
    const pods = [pod('a', 'n1', 'new', false), pod('b', 'n2', 'old'), pod('c', 'n3', 'old')];
    const step = planRollingUpdate(daemonSet(), nodes(pods), 'new', 3, () => true);
    assert.deepEqual(step.deletePods, []);
  });

  it('with maxSurge starts new pods beside old ones, then deletes the old once the new are available', () => {
    const ds = daemonSet({}, { maxUnavailable: 0, maxSurge: 1 });
    const first = planRollingUpdate(
      ds,
      nodes([pod('a', 'n1', 'old'), pod('b', 'n2', 'old')]),
      'new',
      2,
      () => true,
    );
    assert.deepEqual(first, { deletePods: [], createOnNodes: ['n1'] });
    const surged = nodes([pod('a', 'n1', 'old'), pod('a2', 'n1', 'new'), pod('b', 'n2', 'old')]);
    const second = planRollingUpdate(ds, surged, 'new', 2, () => true);
    assert.deepEqual(
      second.deletePods.map((p) => p.metadata.name),
      ['a'],
    );
    // n1's new pod is available, so it no longer uses the surge: n2 may surge now.
    assert.deepEqual(second.createOnNodes, ['n2']);
    const waiting = nodes([pod('a', 'n1', 'old'), pod('a2', 'n1', 'new', false), pod('b', 'n2', 'old')]);
    assert.deepEqual(
      planRollingUpdate(ds, waiting, 'new', 2, () => true),
      { deletePods: [], createOnNodes: [] },
    );
  });
});

describe('DaemonSet status', () => {
  it('counts desired, current, misscheduled, ready, available and updated from the oldest pod per node', () => {
    const decisions = new Map([
      ['n1', { shouldRun: true, shouldContinueRunning: true }],
      ['n2', { shouldRun: true, shouldContinueRunning: true }],
      ['n3', { shouldRun: true, shouldContinueRunning: true }],
      ['n4', { shouldRun: false, shouldContinueRunning: true }],
    ]);
    const byNode = new Map([
      ['n1', [pod('a', 'n1', 'new')]],
      ['n2', [pod('b', 'n2', 'old', false)]],
      ['n4', [pod('d', 'n4', 'new')]],
    ]);
    assert.deepEqual(daemonSetStatus(daemonSet(), decisions, byNode, 'new'), {
      currentNumberScheduled: 2,
      desiredNumberScheduled: 3,
      numberMisscheduled: 1,
      numberReady: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
      updatedNumberScheduled: 1,
    });
  });
});
