import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopologySpreadConstraint } from '../../src/client/objects.js';
import {
  PodTopologySpread,
  SPREAD_LABEL_REASON,
  SPREAD_REASON,
} from '../../src/scheduler/plugins/pod-topology-spread.js';
import { cluster, filterAll, node, pod, reasons, scoreAll } from './fixtures.js';

const plugin = new PodTopologySpread();
const web = { app: 'web' };

const spread = (c: Partial<TopologySpreadConstraint>): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: 'zone',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: web },
  ...c,
});

const zoned = () => [
  node('a1', { labels: { zone: 'a' } }),
  node('a2', { labels: { zone: 'a' } }),
  node('b1', { labels: { zone: 'b' } }),
  node('c1', { labels: { zone: 'c' } }),
  node('nozone'),
];

describe('PodTopologySpread filter', () => {
  it('keeps matching pods per zone within maxSkew of the emptiest zone', () => {
    const c = cluster(zoned(), [
      pod('w1', { nodeName: 'a1', labels: web }),
      pod('w2', { nodeName: 'b1', labels: web }),
      pod('other', { nodeName: 'c1', labels: { app: 'db' } }),
    ]);
    const r = filterAll(
      plugin,
      c,
      pod('p', { labels: web, spec: { topologySpreadConstraints: [spread({})] } }),
    );
    // zone a: 1, b: 1, c: 0 → placing in a or b makes skew 2.
    assert.deepEqual(reasons(r), {
      a1: SPREAD_REASON,
      a2: SPREAD_REASON,
      b1: SPREAD_REASON,
      c1: '',
      nozone: SPREAD_LABEL_REASON,
    });
    assert.equal(r.byNode.get('a1')?.code, 'Unschedulable');
    assert.equal(r.byNode.get('nozone')?.code, 'UnschedulableAndUnresolvable');
  });

  it('counts only pods in the same namespace that are not terminating', () => {
    const gone = pod('w0', { nodeName: 'c1', labels: web });
    gone.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    const c = cluster(zoned(), [
      pod('w1', { nodeName: 'a1', labels: web }),
      pod('w2', { nodeName: 'b1', labels: web, namespace: 'other' }),
      gone,
    ]);
    const r = filterAll(
      plugin,
      c,
      pod('p', { labels: web, spec: { topologySpreadConstraints: [spread({})] } }),
    );
    assert.deepEqual(reasons(r), {
      a1: SPREAD_REASON,
      a2: SPREAD_REASON,
      b1: '',
      c1: '',
      nozone: SPREAD_LABEL_REASON,
    });
  });

  it('treats the global minimum as 0 while there are fewer eligible domains than minDomains', () => {
    const c = cluster(
      [node('a1', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } })],
      [pod('w1', { nodeName: 'a1', labels: web }), pod('w2', { nodeName: 'b1', labels: web })],
    );
    const p = (minDomains?: number) =>
      pod('p', { labels: web, spec: { topologySpreadConstraints: [spread({ minDomains })] } });
    assert.deepEqual(reasons(filterAll(plugin, c, p())), { a1: '', b1: '' });
    assert.deepEqual(reasons(filterAll(plugin, c, p(3))), { a1: SPREAD_REASON, b1: SPREAD_REASON });
  });

  it("honours the pod's node affinity when choosing eligible domains (nodeAffinityPolicy)", () => {
    const c = cluster(zoned(), [
      pod('w1', { nodeName: 'a1', labels: web }),
      pod('w2', { nodeName: 'b1', labels: web }),
    ]);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['a', 'b'] }] },
          ],
        },
      },
    };
    const honour = pod('p', { labels: web, spec: { affinity, topologySpreadConstraints: [spread({})] } });
    // Zone c is not eligible, so the minimum is 1 and zones a and b both still take one more.
    assert.equal(reasons(filterAll(plugin, c, honour))['a2'], '');
    const ignore = pod('q', {
      labels: web,
      spec: { affinity, topologySpreadConstraints: [spread({ nodeAffinityPolicy: 'Ignore' })] },
    });
    assert.equal(reasons(filterAll(plugin, c, ignore))['a2'], SPREAD_REASON);
  });

  it('does not count the incoming pod when it does not match the selector', () => {
    const c = cluster(zoned(), [pod('w1', { nodeName: 'a1', labels: web })]);
    const r = filterAll(
      plugin,
      c,
      pod('p', { labels: { app: 'x' }, spec: { topologySpreadConstraints: [spread({})] } }),
    );
    assert.equal(reasons(r)['a1'], '', 'skew 1 - 0 = 1 is within maxSkew');
  });
});

describe('PodTopologySpread score', () => {
  it('prefers domains with fewer matching pods for ScheduleAnyway constraints', () => {
    const c = cluster(
      [node('n1'), node('n2'), node('n3')],
      [
        pod('w1', { nodeName: 'n1', labels: web }),
        pod('w2', { nodeName: 'n1', labels: web }),
        pod('w3', { nodeName: 'n2', labels: web }),
      ],
    );
    const p = pod('p', {
      labels: web,
      spec: {
        topologySpreadConstraints: [
          spread({ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }),
        ],
      },
    });
    // weight ln(3+2) ≈ 1.609: raw n1 = round(2*1.609) = 3, n2 = 2, n3 = 0 → 100*(3+0-s)/3.
    assert.deepEqual(scoreAll(plugin, c, p), { n1: 0, n2: 33, n3: 100 });
  });

  it('gives nodes without the topology key the lowest score and skips pods without soft constraints', () => {
    const c = cluster([node('z', { labels: { zone: 'a' } }), node('bare')]);
    const p = pod('p', {
      labels: web,
      spec: { topologySpreadConstraints: [spread({ whenUnsatisfiable: 'ScheduleAnyway' })] },
    });
    assert.deepEqual(scoreAll(plugin, c, p), { z: 100, bare: 0 });
    assert.equal(scoreAll(plugin, c, pod('q')), 'skip');
  });
});
