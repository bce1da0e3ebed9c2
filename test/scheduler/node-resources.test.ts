import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  podResourceRequests,
} from '../../src/scheduler/framework/resources.js';
import { BalancedAllocation, balancedScore } from '../../src/scheduler/plugins/balanced-allocation.js';
import { NodeResourcesFit, leastRequestedScore } from '../../src/scheduler/plugins/node-resources-fit.js';
import { cluster, filterAll, info, node, pod, reasons, scoreAll } from './fixtures.js';

const GI = 1024 ** 3;

describe('pod resource requests', () => {
  it('sums containers and raises the sum to the largest init container', () => {
    const p = pod('p', {
      spec: {
        containers: [
          { name: 'a', image: 'x', resources: { requests: { cpu: '100m', memory: '1Gi' } } },
          { name: 'b', image: 'x', resources: { requests: { cpu: '200m', memory: '1Gi' } } },
        ],
        initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '1', memory: '512Mi' } } }],
      },
    });
    const r = podResourceRequests(p).requests;
    assert.equal(r.cpu, 1000, 'init container cpu dominates');
    assert.equal(r.memory, 2 * GI, 'app containers memory dominates');
  });

  it('counts restartable init containers (sidecars) with the app and with every later init container', () => {
    const p = pod('p', {
      spec: {
        containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '500m' } } }],
        initContainers: [
          { name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '300m' } } },
          { name: 'init', image: 'x', resources: { requests: { cpu: '1' } } },
        ],
      },
    });
    // app + sidecar = 800m; the init container runs beside the sidecar: 1000m + 300m = 1300m.
    assert.equal(podResourceRequests(p).requests.cpu, 1300);
  });

  it('adds spec.overhead and honours pod-level requests', () => {
    const p = pod('p', {
      requests: { cpu: '100m', memory: '100Mi', 'example.com/gpu': '2' },
      spec: { overhead: { cpu: '50m', memory: '10Mi' } },
    });
    const r = podResourceRequests(p);
    assert.equal(r.requests.cpu, 150);
    assert.equal(r.requests.memory, 110 * 1024 * 1024);
    assert.equal(r.requests.scalar?.get('example.com/gpu'), 2);
    const podLevel = pod('q', { requests: { cpu: '100m' } });
    (podLevel.spec as { resources?: unknown }).resources = { requests: { cpu: '2' } };
    assert.equal(podResourceRequests(podLevel).requests.cpu, 2000);
  });

  it('defaults CPU and memory only for scoring, for containers that request none', () => {
    const r = podResourceRequests(pod('p'));
    assert.deepEqual([r.requests.cpu, r.requests.memory], [0, 0]);
    assert.equal(r.nonZeroCpu, DEFAULT_MILLI_CPU_REQUEST);
    assert.equal(r.nonZeroMemory, DEFAULT_MEMORY_REQUEST);
    const explicitZero = podResourceRequests(pod('z', { requests: { cpu: '0' } }));
    assert.equal(explicitZero.nonZeroCpu, 0, 'an explicit zero is kept');
  });
});

describe('NodeResourcesFit', () => {
  const plugin = new NodeResourcesFit();

  it('rejects nodes without the free cpu, memory, storage, extended resources or pod slots', () => {
    const c = cluster(
      [
        node('small', { allocatable: { cpu: '1', memory: '1Gi', pods: '10' } }),
        node('full', { allocatable: { cpu: '8', memory: '16Gi', pods: '1' } }),
        node('big', { allocatable: { cpu: '8', memory: '16Gi', pods: '10', 'example.com/gpu': '1' } }),
      ],
      [pod('existing', { nodeName: 'full', requests: { cpu: '100m' } })],
    );
    const r = filterAll(plugin, c, pod('p', { requests: { cpu: '2', memory: '2Gi' } }));
    assert.deepEqual(reasons(r), {
      small: 'Insufficient cpu | Insufficient memory',
      full: 'Too many pods',
      big: '',
    });
    assert.equal(r.byNode.get('small')?.code, 'Unschedulable');
    const gpu = filterAll(plugin, c, pod('g', { requests: { 'example.com/gpu': '2' } }));
    assert.equal(reasons(gpu)['big'], 'Insufficient example.com/gpu');
    const disk = filterAll(plugin, c, pod('d', { requests: { 'ephemeral-storage': '1Gi' } }));
    assert.equal(reasons(disk)['big'], 'Insufficient ephemeral-storage', 'no allocatable storage reported');
  });

  it('counts pods already on the node, assumed ones included, until they are forgotten', () => {
    const c = cluster([node('n', { allocatable: { cpu: '1', memory: '1Gi', pods: '10' } })]);
    const assumed = info(pod('a', { requests: { cpu: '600m' } }));
    c.assume(assumed, 'n');
    const p = pod('p', { requests: { cpu: '500m' } });
    assert.equal(reasons(filterAll(plugin, c, p))['n'], 'Insufficient cpu');
    c.forget(assumed.key);
    assert.equal(reasons(filterAll(plugin, c, p))['n'], '');
  });

  it('scores nodes with more free cpu and memory higher (least allocated, defaults for empty requests)', () => {
    assert.equal(leastRequestedScore(0, 1000), 100);
    assert.equal(leastRequestedScore(250, 1000), 75);
    assert.equal(leastRequestedScore(2000, 1000), 0);
    const c = cluster(
      [node('busy'), node('idle')],
      [pod('x', { nodeName: 'busy', requests: { cpu: '2', memory: '4Gi' } })],
    );
    const s = scoreAll(plugin, c, pod('p', { requests: { cpu: '1', memory: '2Gi' } }));
    // idle: cpu (4000-1000)/4000 = 75, memory 75 → 75; busy: 25 and 25 → 25.
    assert.deepEqual(s, { busy: 25, idle: 75 });
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  const plugin = new BalancedAllocation();

  it('favours nodes where cpu and memory would be used in equal shares', () => {
    assert.equal(balancedScore([500, 500], [1000, 1000]), 100);
    assert.equal(balancedScore([1000, 0], [1000, 1000]), 50);
    assert.equal(balancedScore([2000, 0], [1000, 1000]), 50, 'shares are capped at 1');
    const c = cluster(
      [node('cpu-heavy'), node('even')],
      [
        pod('x', { nodeName: 'cpu-heavy', requests: { cpu: '2' } }),
        pod('y', { nodeName: 'even', requests: { cpu: '1', memory: '2Gi' } }),
      ],
    );
    const s = scoreAll(plugin, c, pod('p', { requests: { cpu: '1', memory: '2Gi' } }));
    // cpu-heavy: cpu 3/4, memory 2/8 → std 0.25 → 75. even: 2/4 and 4/8 → 100.
    assert.deepEqual(s, { 'cpu-heavy': 75, even: 100 });
  });

  it('does not score best-effort pods', () => {
    assert.equal(scoreAll(plugin, cluster([node('n')]), pod('p')), 'skip');
  });
});
