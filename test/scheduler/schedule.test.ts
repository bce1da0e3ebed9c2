import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitErrorMessage } from '../../src/scheduler/framework/fit-error.js';
import { defaultFramework } from '../../src/scheduler/framework/framework.js';
import { Nominator } from '../../src/scheduler/framework/nominator.js';
import { SchedulingAlgorithm, numFeasibleNodesToFind } from '../../src/scheduler/framework/schedule.js';
import type { Scheduled, Unschedulable } from '../../src/scheduler/framework/schedule.js';
import { reject } from '../../src/scheduler/framework/types.js';
import { cluster, info, node, pod } from './fixtures.js';

describe('FitError message', () => {
  it('counts each reason over the nodes, sorted, then appends the preemption message', () => {
    const msg = fitErrorMessage({
      numAllNodes: 3,
      nodeToStatus: new Map([
        [
          'a',
          reject(
            'TaintToleration',
            'UnschedulableAndUnresolvable',
            'node(s) had untolerated taint {dedicated: x}',
          ),
        ],
        ['b', reject('NodeResourcesFit', 'Unschedulable', 'Insufficient cpu')],
        ['c', reject('NodeResourcesFit', 'Unschedulable', 'Insufficient cpu', 'Insufficient memory')],
      ]),
      postFilterMsg: 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      unschedulablePlugins: new Set(),
    });
    assert.equal(
      msg,
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {dedicated: x}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  it('shows a PreFilter rejection instead of per-node reasons', () => {
    const pre = reject(
      'VolumeBinding',
      'UnschedulableAndUnresolvable',
      'persistentvolumeclaim "x" not found',
    );
    assert.equal(
      fitErrorMessage({
        numAllNodes: 2,
        nodeToStatus: new Map(),
        absentStatus: pre,
        preFilterMsg: pre.reasons[0],
        unschedulablePlugins: new Set(),
      }),
      '0/2 nodes are available: persistentvolumeclaim "x" not found.',
    );
  });
});

describe('numFeasibleNodesToFind', () => {
  it('is every node below 100, then adaptive 50 - n/125 percent, at least 5% and at least 100', () => {
    assert.equal(numFeasibleNodesToFind(50), 50);
    assert.equal(numFeasibleNodesToFind(100), 100, '100 * 49% = 49, raised to 100');
    assert.equal(numFeasibleNodesToFind(1000), 420);
    assert.equal(numFeasibleNodesToFind(5000), 500);
    assert.equal(numFeasibleNodesToFind(10_000), 500, '5% floor');
    assert.equal(numFeasibleNodesToFind(5000, 30), 1500);
  });
});

describe('scheduling an attempt', () => {
  const algorithm = (nodes = 3, pods: ReturnType<typeof pod>[] = []) => {
    const c = cluster(
      Array.from({ length: nodes }, (_, i) => node(`n${i}`)),
      pods,
    );
    return { c, a: new SchedulingAlgorithm(defaultFramework(), c, new Nominator(), 0, () => 0) };
  };

  it('picks the best scoring node', () => {
    const { a } = algorithm(3, [
      pod('x', { nodeName: 'n0', requests: { cpu: '2', memory: '4Gi' } }),
      pod('y', { nodeName: 'n2', requests: { cpu: '1', memory: '2Gi' } }),
    ]);
    const r = a.schedule(info(pod('p', { requests: { cpu: '1', memory: '1Gi' } }))).result as Scheduled;
    assert.equal(r.node, 'n1');
    assert.equal(r.feasibleNodes, 3);
  });

  it('stops after enough feasible nodes and starts the next attempt where it stopped', () => {
    const { a } = algorithm(1000);
    const first = a.schedule(info(pod('p'))).result as Scheduled;
    assert.equal(first.evaluatedNodes, 420);
    assert.equal(first.feasibleNodes, 420);
    const second = a.schedule(info(pod('q'))).result as Scheduled;
    const index = Number(second.node.slice(1));
    assert.ok(index >= 420 && index < 840, `second attempt looked at n420..n839, chose ${second.node}`);
  });

  it('diagnoses every node when none fits', () => {
    const { a } = algorithm(2);
    const r = a.schedule(info(pod('p', { requests: { cpu: '64' } }))).result as Unschedulable;
    assert.equal(fitErrorMessage(r.diagnosis), '0/2 nodes are available: 2 Insufficient cpu.');
    assert.deepEqual([...r.diagnosis.unschedulablePlugins], ['NodeResourcesFit']);
  });

  it('keeps room for pods nominated to a node with at least the same priority', () => {
    const c = cluster([node('n0', { allocatable: { cpu: '2', memory: '4Gi', pods: '10' } })]);
    const nominator = new Nominator();
    const a = new SchedulingAlgorithm(defaultFramework(), c, nominator, 0);
    nominator.add(info(pod('waiting', { requests: { cpu: '1500m' }, priority: 100 })), 'n0');
    const low = a.schedule(info(pod('low', { requests: { cpu: '1' }, priority: 10 }))).result;
    assert.ok('diagnosis' in low, 'the low-priority pod must not take the nominated room');
    const high = a.schedule(info(pod('high', { requests: { cpu: '1' }, priority: 1000 }))).result;
    assert.equal((high as Scheduled).node, 'n0');
  });
});
