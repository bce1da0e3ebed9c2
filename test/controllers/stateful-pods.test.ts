/** StatefulSet pod identity, claims, revisions for new pods, claim owners and status, as pure functions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ControllerRevision,
  PersistentVolumeClaim,
  Pod,
  StatefulSet,
} from '../../src/client/objects.js';
import {
  claimOwnerRefs,
  claimsFor,
  createsAtCurrentRevision,
  ordinalOf,
  statefulPod,
} from '../../src/controllers/statefulset/stateful-pods.js';
import { statefulSetStatus } from '../../src/controllers/statefulset/statefulset-controller.js';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'default',
  uid: `uid-${name}`,
  resourceVersion: '1',
  creationTimestamp: '2024-01-01T00:00:00Z',
  ...extra,
});

function set(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta('web'),
    spec: {
      serviceName: 'nginx',
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'www', emptyDir: {} }] },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'www', labels: { tier: 'data' } },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
      ...spec,
    },
    status: { replicas: 0, ...status },
  };
}

const rev = (name: string) => ({ metadata: { name } }) as ControllerRevision;

function member(
  name: string,
  revision: string,
  ready = true,
  deleting = false,
): { pod: Pod; ordinal: number } {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, {
      labels: { 'controller-revision-hash': revision },
      ...(deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    }),
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  } as Pod;
  return { pod, ordinal: Number(name.split('-').at(-1)) };
}

describe('StatefulSet pod identity', () => {
  it('names pods <set>-<ordinal> with hostname, subdomain, identity labels and a claim volume', () => {
    const p = statefulPod(set(), set().spec!.template, 2, 'web-abc');
    assert.equal(p.metadata.name, 'web-2');
    assert.deepEqual(p.metadata.labels, {
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-2',
      'apps.kubernetes.io/pod-index': '2',
      'controller-revision-hash': 'web-abc',
    });
    assert.equal(p.spec!.hostname, 'web-2');
    assert.equal(p.spec!.subdomain, 'nginx');
    // The claim replaces the template volume of the same name.
    assert.deepEqual(p.spec!.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }]);
    assert.equal(p.metadata.ownerReferences![0]!.kind, 'StatefulSet');
  });

  it('reads ordinals only from names of the set', () => {
    const named = (name: string) => ({ metadata: { name } }) as Pod;
    assert.equal(ordinalOf(set(), named('web-12')), 12);
    assert.equal(ordinalOf(set(), named('web-x')), undefined);
    assert.equal(ordinalOf(set(), named('webby-1')), undefined);
  });

  it('builds one claim per template, named <claim>-<set>-<ordinal>, labelled with the selector', () => {
    const [claim] = claimsFor(set(), 4);
    assert.equal(claim!.metadata.name, 'www-web-4');
    assert.equal(claim!.metadata.namespace, 'default');
    assert.deepEqual(claim!.metadata.labels, { tier: 'data', app: 'web' });
    assert.deepEqual(claim!.spec!.accessModes, ['ReadWriteOnce']);
  });
});

describe('revision of a new pod', () => {
  it('is the current revision below the partition and the update revision from it on', () => {
    const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    assert.equal(createsAtCurrentRevision(s, 1), true);
    assert.equal(createsAtCurrentRevision(s, 2), false);
    const started = set({
      ordinals: { start: 5 },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
    });
    assert.equal(createsAtCurrentRevision(started, 5), true);
    assert.equal(createsAtCurrentRevision(started, 6), false);
  });

  it('is always the update revision with OnDelete', () => {
    assert.equal(createsAtCurrentRevision(set({ updateStrategy: { type: 'OnDelete' } }), 0), false);
  });
});

describe('claim owners under the retention policy', () => {
  const claim = (owners: unknown[] = []) =>
    ({ metadata: meta('www-web-1', { ownerReferences: owners }) }) as PersistentVolumeClaim;
  const pod = member('web-1', 'r').pod;

  it('owns nothing with Retain/Retain and drops references it set before', () => {
    const s = set();
    assert.equal(claimOwnerRefs(s, pod, claim(), 1), undefined);
    assert.deepEqual(claimOwnerRefs(s, pod, claim([{ uid: 'uid-web', kind: 'StatefulSet' }]), 1), []);
  });

  it('is owned by the set with whenDeleted: Delete, and by the pod once scaled away with whenScaled: Delete', () => {
    const both = set({
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    });
    assert.deepEqual(
      claimOwnerRefs(both, pod, claim(), 1)!.map((r) => r.kind),
      ['StatefulSet'],
    );
    const scaledDown = set({
      replicas: 1,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
    });
    const refs = claimOwnerRefs(scaledDown, pod, claim([{ uid: 'uid-web', kind: 'StatefulSet' }]), 1)!;
    assert.deepEqual(
      refs.map((r) => [r.kind, r.name]),
      [['Pod', 'web-1']],
    );
    const other = { uid: 'someone', kind: 'ConfigMap', name: 'keep', apiVersion: 'v1' };
    const kept = claimOwnerRefs(set(), pod, claim([other, { uid: 'uid-web-1', kind: 'Pod' }]), 1);
    assert.deepEqual(kept, [other]);
  });
});

describe('StatefulSet status', () => {
  const revs = { current: rev('web-old'), update: rev('web-new'), collisionCount: 0 };

  it('counts pods per revision while a partitioned update is in progress', () => {
    const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const st = statefulSetStatus(
      s,
      [member('web-0', 'web-old'), member('web-1', 'web-new'), member('web-2', 'web-new', false)],
      revs,
    );
    assert.equal(st.replicas, 3);
    assert.equal(st.readyReplicas, 2);
    assert.equal(st.currentReplicas, 1);
    assert.equal(st.updatedReplicas, 2);
    assert.equal(st.currentRevision, 'web-old');
    assert.equal(st.updateRevision, 'web-new');
  });

  it('makes the update revision current when every pod is updated and ready', () => {
    const st = statefulSetStatus(
      set(),
      [member('web-0', 'web-new'), member('web-1', 'web-new'), member('web-2', 'web-new')],
      revs,
    );
    assert.equal(st.currentRevision, 'web-new');
    assert.equal(st.currentReplicas, 3);
  });

  it('does not count terminating pods as current or updated', () => {
    const st = statefulSetStatus(set(), [member('web-0', 'web-old', true, true)], revs);
    assert.equal(st.replicas, 1);
    assert.equal(st.currentReplicas, 0);
    assert.equal(st.updatedReplicas, 0);
  });
});
