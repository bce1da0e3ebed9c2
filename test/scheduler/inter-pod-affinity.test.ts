import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodAffinityTerm } from '../../src/client/objects.js';
import {
  AFFINITY_REASON,
  ANTI_AFFINITY_REASON,
  EXISTING_ANTI_AFFINITY_REASON,
  InterPodAffinity,
} from '../../src/scheduler/plugins/inter-pod-affinity.js';
import { cluster, filterAll, node, pod, reasons, scoreAll } from './fixtures.js';

const plugin = new InterPodAffinity();
const term = (
  labels: Record<string, string>,
  topologyKey = 'zone',
  extra: Partial<PodAffinityTerm> = {},
) => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...extra,
});
const nodes = () => [
  node('a1', { labels: { zone: 'a' } }),
  node('a2', { labels: { zone: 'a' } }),
  node('b1', { labels: { zone: 'b' } }),
  node('bare'),
];
const withAffinity = (
  name: string,
  affinity: NonNullable<Pod['spec']>['affinity'],
  labels?: Record<string, string>,
  nodeName?: string,
) => pod(name, { labels, nodeName, spec: { affinity } });

describe('InterPodAffinity filter', () => {
  it('requires a matching pod in the same topology domain', () => {
    const c = cluster(nodes(), [pod('db', { nodeName: 'a1', labels: { app: 'db' } })]);
    const p = withAffinity('p', {
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' })] },
    });
    const r = filterAll(plugin, c, p);
    assert.deepEqual(reasons(r), { a1: '', a2: '', b1: AFFINITY_REASON, bare: AFFINITY_REASON });
    assert.equal(r.byNode.get('b1')?.code, 'UnschedulableAndUnresolvable');
  });

  it('lets the first pod of a self-selecting group land anywhere with the topology key', () => {
    const c = cluster(nodes());
    const p = withAffinity(
      'p',
      { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] } },
      { app: 'web' },
    );
    assert.deepEqual(reasons(filterAll(plugin, c, p)), { a1: '', a2: '', b1: '', bare: AFFINITY_REASON });
    const stranger = withAffinity(
      'q',
      { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] } },
      { app: 'x' },
    );
    assert.deepEqual(Object.values(reasons(filterAll(plugin, c, stranger))), [
      AFFINITY_REASON,
      AFFINITY_REASON,
      AFFINITY_REASON,
      AFFINITY_REASON,
    ]);
  });

  it('keeps the pod out of domains holding pods its anti-affinity selects', () => {
    const c = cluster(nodes(), [pod('w1', { nodeName: 'a1', labels: { app: 'web' } })]);
    const p = withAffinity('p', {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' })] },
    });
    const r = filterAll(plugin, c, p);
    assert.deepEqual(reasons(r), { a1: ANTI_AFFINITY_REASON, a2: ANTI_AFFINITY_REASON, b1: '', bare: '' });
    assert.equal(r.byNode.get('a1')?.code, 'Unschedulable');
  });

  it("respects existing pods' anti-affinity towards the incoming pod", () => {
    const loner = withAffinity(
      'loner',
      {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'web' }, 'kubernetes.io/hostname')],
        },
      },
      undefined,
      'b1',
    );
    const c = cluster(nodes(), [loner]);
    assert.deepEqual(reasons(filterAll(plugin, c, pod('p', { labels: { app: 'web' } }))), {
      a1: '',
      a2: '',
      b1: EXISTING_ANTI_AFFINITY_REASON,
      bare: '',
    });
    assert.deepEqual(Object.values(reasons(filterAll(plugin, c, pod('q', { labels: { app: 'db' } })))), [
      '',
      '',
      '',
      '',
    ]);
  });

  it('selects pods in other namespaces by namespaceSelector', () => {
    const c = cluster(nodes(), [pod('db', { nodeName: 'b1', labels: { app: 'db' }, namespace: 'data' })], {
      namespaces: { data: { team: 'storage' }, default: {} },
    });
    const sameNs = withAffinity('p', {
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' })] },
    });
    assert.equal(reasons(filterAll(plugin, c, sameNs))['b1'], AFFINITY_REASON);
    const bySelector = withAffinity('q', {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          term({ app: 'db' }, 'zone', { namespaceSelector: { matchLabels: { team: 'storage' } } }),
        ],
      },
    });
    assert.equal(reasons(filterAll(plugin, c, bySelector))['b1'], '');
  });
});

describe('InterPodAffinity score', () => {
  it('adds preferred affinity weights and subtracts anti-affinity weights per domain', () => {
    const c = cluster(nodes(), [
      pod('cache', { nodeName: 'a1', labels: { app: 'cache' } }),
      pod('noisy', { nodeName: 'b1', labels: { app: 'noisy' } }),
    ]);
    const p = withAffinity('p', {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, podAffinityTerm: term({ app: 'cache' }) },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, podAffinityTerm: term({ app: 'noisy' }) },
        ],
      },
    });
    // zone a: +50, zone b: -50, bare: 0 → scaled between min -50 and max 50.
    assert.deepEqual(scoreAll(plugin, c, p), { a1: 100, a2: 100, b1: 0, bare: 50 });
  });

  it("counts existing pods' preferences towards the incoming pod", () => {
    const fan = withAffinity(
      'fan',
      {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, podAffinityTerm: term({ app: 'star' }) },
          ],
        },
      },
      undefined,
      'b1',
    );
    const c = cluster(nodes(), [fan]);
    assert.deepEqual(scoreAll(plugin, c, pod('p', { labels: { app: 'star' } })), {
      a1: 0,
      a2: 0,
      b1: 100,
      bare: 0,
    });
    assert.equal(scoreAll(plugin, cluster(nodes()), pod('q')), 'skip');
  });
});
