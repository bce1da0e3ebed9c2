import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodDisruptionBudget } from '../../src/client/objects.js';
import { fitErrorMessage } from '../../src/scheduler/framework/fit-error.js';
import { defaultFramework } from '../../src/scheduler/framework/framework.js';
import { Nominator } from '../../src/scheduler/framework/nominator.js';
import { pickOne, preempt, splitByPdbViolation } from '../../src/scheduler/framework/preemption.js';
import type { Candidate } from '../../src/scheduler/framework/preemption.js';
import { SchedulingAlgorithm } from '../../src/scheduler/framework/schedule.js';
import type { Unschedulable } from '../../src/scheduler/framework/schedule.js';
import { cluster, info, node, pod } from './fixtures.js';

const small = (name: string, o: Parameters<typeof node>[1] = {}) =>
  node(name, { allocatable: { cpu: '2', memory: '4Gi', pods: '10' }, ...o });

function run(
  c: ReturnType<typeof cluster>,
  preemptor: ReturnType<typeof pod>,
  opts: { policy?: string; pdbs?: PodDisruptionBudget[] } = {},
) {
  const fw = defaultFramework();
  const nominator = new Nominator();
  const p = info(preemptor);
  const attempt = new SchedulingAlgorithm(fw, c, nominator).schedule(p);
  const { diagnosis } = attempt.result as Unschedulable;
  const outcome = preempt({
    fw,
    cluster: c,
    nominator,
    pdbs: opts.pdbs ?? [],
    pod: p,
    preemptionPolicy: opts.policy ?? 'PreemptLowerPriority',
    state: attempt.state,
    diagnosis,
    random: () => 0,
  });
  if (outcome.message) diagnosis.postFilterMsg = outcome.message;
  return { outcome, message: fitErrorMessage(diagnosis) };
}

describe('DefaultPreemption', () => {
  it('evicts the fewest lower-priority pods needed, keeping the more important ones', () => {
    const c = cluster(
      [small('n0')],
      [
        pod('low-a', { nodeName: 'n0', requests: { cpu: '500m' }, priority: 1 }),
        pod('low-b', { nodeName: 'n0', requests: { cpu: '500m' }, priority: 5 }),
        pod('mid', { nodeName: 'n0', requests: { cpu: '1' }, priority: 50 }),
      ],
    );
    const { outcome } = run(c, pod('p', { requests: { cpu: '1' }, priority: 100 }));
    assert.equal(outcome.candidate?.node, 'n0');
    assert.deepEqual(
      outcome.candidate?.victims.map((v) => v.name),
      ['low-b', 'low-a'],
    );
  });

  it('picks the node whose victims have the lowest priority', () => {
    const c = cluster(
      [small('n0'), small('n1')],
      [
        pod('a', { nodeName: 'n0', requests: { cpu: '2' }, priority: 20 }),
        pod('b', { nodeName: 'n1', requests: { cpu: '2' }, priority: 10 }),
      ],
    );
    assert.equal(run(c, pod('p', { requests: { cpu: '1' }, priority: 100 })).outcome.candidate?.node, 'n1');
  });

  it('reports no victims when only pods of equal or higher priority are there', () => {
    const c = cluster(
      [small('n0'), small('n1')],
      [
        pod('a', { nodeName: 'n0', requests: { cpu: '2' }, priority: 100 }),
        pod('b', { nodeName: 'n1', requests: { cpu: '2' }, priority: 100 }),
      ],
    );
    const { outcome, message } = run(c, pod('p', { requests: { cpu: '1' }, priority: 100 }));
    assert.equal(outcome.candidate, undefined);
    assert.equal(
      message,
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    );
  });

  it('does not consider nodes where removing pods cannot help', () => {
    const c = cluster(
      [small('tainted', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }), small('full')],
      [pod('a', { nodeName: 'full', requests: { cpu: '2' }, priority: 1000 })],
    );
    const { message } = run(c, pod('p', { requests: { cpu: '1' }, priority: 100 }));
    assert.equal(
      message,
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: x}. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
    );
  });

  it('does nothing for preemptionPolicy Never', () => {
    const c = cluster([small('n0')], [pod('a', { nodeName: 'n0', requests: { cpu: '2' }, priority: 1 })]);
    const { outcome, message } = run(c, pod('p', { requests: { cpu: '1' }, priority: 100 }), {
      policy: 'Never',
    });
    assert.equal(outcome.candidate, undefined);
    assert.equal(
      message,
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });

  it('prefers victims whose PodDisruptionBudget allows the disruption', () => {
    const guarded = { app: 'guarded' };
    const pdb: PodDisruptionBudget = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: {
        name: 'pdb',
        namespace: 'default',
        uid: 'u',
        resourceVersion: '1',
        creationTimestamp: '2024-01-01T00:00:00Z',
      },
      spec: { selector: { matchLabels: guarded } },
      status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
    };
    const c = cluster(
      [small('n0'), small('n1')],
      [
        pod('g', { nodeName: 'n0', requests: { cpu: '2' }, priority: 1, labels: guarded }),
        pod('free', { nodeName: 'n1', requests: { cpu: '2' }, priority: 5 }),
      ],
    );
    const split = splitByPdbViolation([info(c.node('n0')!.pods.values().next().value!.pod)], [pdb]);
    assert.equal(split.violating.length, 1);
    assert.equal(
      run(c, pod('p', { requests: { cpu: '1' }, priority: 100 }), { pdbs: [pdb] }).outcome.candidate?.node,
      'n1',
    );
  });

  it('breaks ties by victim count, then by the latest start of the top victims', () => {
    const v = (name: string, priority: number, start: string) => {
      const p = pod(name, { priority });
      p.status = { startTime: start };
      return info(p);
    };
    const cands: Candidate[] = [
      {
        node: 'two',
        victims: [v('a', 5, '2024-01-01T00:00:00Z'), v('b', 0, '2024-01-01T00:00:00Z')],
        pdbViolations: 0,
      },
      { node: 'old', victims: [v('c', 5, '2024-01-01T00:00:00Z')], pdbViolations: 0 },
      { node: 'new', victims: [v('d', 5, '2024-06-01T00:00:00Z')], pdbViolations: 0 },
    ];
    assert.equal(pickOne(cands).node, 'new');
  });
});
