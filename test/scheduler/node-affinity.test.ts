import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeSelectorTerm } from '../../src/client/objects.js';
import { NODE_AFFINITY_REASON, NodeAffinity } from '../../src/scheduler/plugins/node-affinity.js';
import { cluster, filterAll, node, pod, reasons, scoreAll } from './fixtures.js';

const plugin = new NodeAffinity();
const nodes = [
  node('a', { labels: { zone: 'z1', disk: 'ssd', cores: '8' } }),
  node('b', { labels: { zone: 'z2', disk: 'hdd', cores: '32' } }),
  node('c', { labels: { zone: 'z3' } }),
];

/** The names of the nodes the pod with these required terms (and nodeSelector) may go to. */
function allowed(terms: NodeSelectorTerm[] | undefined, nodeSelector?: Record<string, string>): string[] {
  const p = pod('p', {
    spec: {
      nodeSelector,
      affinity: terms
        ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } }
        : undefined,
    },
  });
  const r = reasons(filterAll(plugin, cluster(nodes), p));
  return Object.keys(r).filter((n) => r[n] === '');
}

describe('NodeAffinity filter', () => {
  it('requires every nodeSelector label', () => {
    assert.deepEqual(allowed(undefined, { disk: 'ssd' }), ['a']);
    assert.deepEqual(allowed(undefined, { disk: 'ssd', zone: 'z2' }), []);
    assert.deepEqual(allowed(undefined), ['a', 'b', 'c']);
  });

  it('evaluates matchExpressions In, NotIn, Exists, DoesNotExist, Gt and Lt', () => {
    const expr = (operator: string, values?: string[], key = 'disk'): NodeSelectorTerm[] => [
      { matchExpressions: [{ key, operator: operator as 'In', values }] },
    ];
    assert.deepEqual(allowed(expr('In', ['ssd', 'nvme'])), ['a']);
    assert.deepEqual(allowed(expr('NotIn', ['ssd'])), ['b', 'c'], 'NotIn matches nodes without the label');
    assert.deepEqual(allowed(expr('Exists')), ['a', 'b']);
    assert.deepEqual(allowed(expr('DoesNotExist')), ['c']);
    assert.deepEqual(allowed(expr('Gt', ['16'], 'cores')), ['b']);
    assert.deepEqual(allowed(expr('Lt', ['16'], 'cores')), ['a']);
    assert.deepEqual(allowed(expr('Gt', ['lots'], 'cores')), [], 'a non-integer never matches');
  });

  it('ORs terms, ANDs expressions within a term, and matches metadata.name fields', () => {
    assert.deepEqual(
      allowed([
        { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
      ]),
      ['a', 'c'],
    );
    assert.deepEqual(
      allowed([
        {
          matchExpressions: [
            { key: 'zone', operator: 'In', values: ['z1', 'z2'] },
            { key: 'disk', operator: 'In', values: ['hdd'] },
          ],
        },
      ]),
      ['b'],
    );
    assert.deepEqual(
      allowed([{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['a'] }] }]),
      ['b', 'c'],
    );
    assert.deepEqual(allowed([{}]), [], 'an empty term matches no node');
  });

  it("rejects with Kubernetes' reason, as unresolvable", () => {
    const r = filterAll(plugin, cluster(nodes), pod('p', { spec: { nodeSelector: { disk: 'ssd' } } }));
    assert.equal(r.byNode.get('b')?.reasons[0], NODE_AFFINITY_REASON);
    assert.equal(r.byNode.get('b')?.code, 'UnschedulableAndUnresolvable');
    assert.equal(NODE_AFFINITY_REASON, "node(s) didn't match Pod's node affinity/selector");
  });
});

describe('NodeAffinity score', () => {
  it('sums the weights of matching preferred terms, scaled so the best node gets 100', () => {
    const p = pod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 80,
                preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
              },
              {
                weight: 20,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] },
              },
              { weight: 40, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
            ],
          },
        },
      },
    });
    // a: 80 + 40 = 120, b: 20 + 40 = 60, c: 0.
    assert.deepEqual(scoreAll(plugin, cluster(nodes), p), { a: 100, b: 50, c: 0 });
  });

  it('does not score pods without preferred terms', () => {
    assert.equal(scoreAll(plugin, cluster(nodes), pod('p')), 'skip');
  });
});
