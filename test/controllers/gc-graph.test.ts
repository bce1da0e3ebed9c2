/** The garbage collector's dependency graph: which changes lead to which work. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { OwnerReference } from '../../src/apimachinery/meta.js';
import { GraphBuilder } from '../../src/controllers/garbagecollector/graph.js';
import type { ObjectIdentity } from '../../src/controllers/garbagecollector/graph.js';

const cm = (name: string, uid: string, namespace = 'ns'): ObjectIdentity => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  name,
  namespace,
  uid,
});
const ref = (name: string, uid: string, block = false): OwnerReference => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  name,
  uid,
  ...(block ? { blockOwnerDeletion: true } : {}),
});

describe('garbage collector graph', () => {
  let work: string[];
  let g: GraphBuilder;
  beforeEach(() => {
    work = [];
    g = new GraphBuilder({
      attemptToDelete: (n) => work.push(`delete:${n.identity.name}`),
      attemptToOrphan: (n) => work.push(`orphan:${n.identity.name}`),
      invalidNamespace: (d, r) => work.push(`invalid:${d.identity.name}->${r.name}`),
      absent: (id) => work.push(`absent:${id.name}`),
      namespaced: () => true,
    });
  });

  it('checks an owner known only from a reference, and links it once observed', () => {
    g.observe(cm('dep', 'd1'), { ownerReferences: [ref('owner', 'o1')] });
    assert.deepEqual(work, ['delete:owner']);
    assert.equal(g.get('o1')?.observed, false);
    g.observe(cm('owner', 'o1'), {});
    assert.equal(g.get('o1')?.observed, true);
    assert.deepEqual(
      [...g.get('o1')!.dependents].map((d) => d.identity.name),
      ['dep'],
    );
    assert.deepEqual(work, ['delete:owner'], 'same coordinates: nothing to re-check');
  });

  it('foreground: the owner and its dependents are examined; only blocking dependents hold it', () => {
    g.observe(cm('owner', 'o1'), {});
    g.observe(cm('a', 'a1'), { ownerReferences: [ref('owner', 'o1', true)] });
    g.observe(cm('b', 'b1'), { ownerReferences: [ref('owner', 'o1')] });
    work = [];
    g.observe(cm('owner', 'o1'), { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    assert.deepEqual(work.sort(), ['delete:a', 'delete:b', 'delete:owner']);
    assert.deepEqual(
      g
        .get('o1')!
        .blockingDependents()
        .map((d) => d.identity.name),
      ['a'],
    );
    // Seen again in the same state: no new work.
    work = [];
    g.observe(cm('owner', 'o1'), { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] });
    assert.deepEqual(work, []);
    // The blocking dependent drops its reference: the owner may go.
    g.observe(cm('a', 'a1'), { ownerReferences: [] });
    assert.deepEqual(work, ['delete:owner']);
    assert.deepEqual(g.get('o1')!.blockingDependents(), []);
  });

  it('orphan: the owner is queued for orphaning', () => {
    g.observe(cm('owner', 'o1'), {});
    g.observe(cm('owner', 'o1'), { deletionTimestamp: 't', finalizers: ['orphan'] });
    assert.deepEqual(work, ['orphan:owner']);
  });

  it('a deleted owner sends its dependents, and is remembered as absent', () => {
    g.observe(cm('owner', 'o1'), {});
    g.observe(cm('dep', 'd1'), { ownerReferences: [ref('owner', 'o1')] });
    work = [];
    g.remove('o1');
    assert.deepEqual(work, ['absent:owner', 'delete:dep']);
    assert.equal(g.get('o1'), undefined);
  });

  it('an owner reference into another namespace is reported and its dependent examined', () => {
    g.observe(cm('owner', 'o1', 'a'), {});
    g.observe(cm('dep', 'd1', 'b'), { ownerReferences: [ref('owner', 'o1')] });
    assert.deepEqual(work, ['invalid:dep->owner', 'delete:dep']);
  });

  it('a virtual owner found missing keeps the coordinates other dependents give it', () => {
    g.observe(cm('dep1', 'd1'), { ownerReferences: [ref('owner', 'o1')] });
    g.observe(cm('dep2', 'd2'), { ownerReferences: [{ ...ref('owner', 'o1'), kind: 'Secret' }] });
    work = [];
    const virtual = g.get('o1')!;
    g.verifiedAbsent(virtual, { ...virtual.identity });
    assert.deepEqual(work, ['absent:owner', 'delete:dep1', 'delete:owner']);
    assert.equal(g.get('o1')?.identity.kind, 'Secret');
    // Once the dependents of the missing coordinates are gone, the node goes with the rest.
    g.remove('d1');
    work = [];
    g.verifiedAbsent(virtual, { ...virtual.identity });
    assert.deepEqual(work, ['absent:owner', 'delete:dep2']);
    assert.equal(g.get('o1'), undefined);
  });
});
