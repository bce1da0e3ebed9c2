import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Taint, Toleration } from '../../src/client/objects.js';
import { TaintToleration } from '../../src/scheduler/plugins/taint-toleration.js';
import { toleratesTaint as tolerates } from '../../src/api/core/taints.js';
import { cluster, filterAll, node, pod, reasons, scoreAll } from './fixtures.js';

const plugin = new TaintToleration();
const dedicated: Taint = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };

describe('toleration matching', () => {
  it('follows ToleratesTaint: key, operator, value and effect', () => {
    const cases: [Toleration, boolean][] = [
      [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }, true],
      [{ key: 'dedicated', value: 'x' }, true],
      [{ key: 'dedicated', operator: 'Equal', value: 'y' }, false],
      [{ key: 'dedicated', operator: 'Exists' }, true],
      [{ operator: 'Exists' }, true],
      [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
      [{ key: 'other', operator: 'Exists' }, false],
    ];
    for (const [t, want] of cases) assert.equal(tolerates(t, dedicated), want, JSON.stringify(t));
  });
});

describe('TaintToleration filter', () => {
  const c = cluster([
    node('plain'),
    node('tainted', { taints: [dedicated] }),
    node('noexec', { taints: [{ key: 'gone', effect: 'NoExecute' }] }),
    node('soft', { taints: [{ key: 'meh', value: 'v', effect: 'PreferNoSchedule' }] }),
  ]);

  it('rejects NoSchedule and NoExecute taints the pod does not tolerate, naming the taint', () => {
    const r = filterAll(plugin, c, pod('p'));
    assert.deepEqual(reasons(r), {
      plain: '',
      tainted: 'node(s) had untolerated taint {dedicated: x}',
      noexec: 'node(s) had untolerated taint {gone: }',
      soft: '',
    });
    assert.equal(r.byNode.get('tainted')?.code, 'UnschedulableAndUnresolvable');
  });

  it('lets tolerating pods through', () => {
    const p = pod('p', {
      spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }, { key: 'gone' }] },
    });
    assert.deepEqual(Object.values(reasons(filterAll(plugin, c, p))), ['', '', '', '']);
  });
});

describe('TaintToleration score', () => {
  it('prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
    const soft = (key: string): Taint => ({ key, effect: 'PreferNoSchedule' });
    const c = cluster([
      node('none'),
      node('one', { taints: [soft('a')] }),
      node('two', { taints: [soft('a'), soft('b')] }),
    ]);
    assert.deepEqual(scoreAll(plugin, c, pod('p')), { none: 100, one: 50, two: 0 });
    const tolerant = pod('q', {
      spec: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] },
    });
    assert.deepEqual(scoreAll(plugin, c, tolerant), { none: 100, one: 100, two: 0 });
    const noScheduleOnly = pod('r', {
      spec: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }] },
    });
    assert.deepEqual(scoreAll(plugin, c, noScheduleOnly), { none: 100, one: 50, two: 0 });
  });
});
