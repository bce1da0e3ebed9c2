import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../src/client/objects.js';
import {
  NO_VOLUMES_REASON,
  VOLUME_CONFLICT_REASON,
  VolumeBinding,
  delayedClaims,
} from '../../src/scheduler/plugins/volume-binding.js';
import { cluster, filterAll, info, node, pod, reasons } from './fixtures.js';

const meta = (name: string, namespace?: string) => ({
  name,
  namespace,
  uid: `uid-${name}`,
  resourceVersion: '1',
  creationTimestamp: '2024-01-01T00:00:00Z',
});
const pvc = (name: string, volumeName?: string): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: meta(name, 'default'),
  spec: { volumeName, accessModes: ['ReadWriteOnce'] },
});
const localPv = (name: string, hostname: string): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: meta(name),
  spec: {
    capacity: { storage: '1Gi' },
    local: { path: '/mnt/disk' },
    nodeAffinity: {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostname] }] },
        ],
      },
    },
  },
});
const mounting = (claim: string) =>
  pod('p', { spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } });

describe('VolumeBinding', () => {
  const plugin = new VolumeBinding();
  const c = cluster([node('n1'), node('n2')], [], {
    pvcs: [pvc('bound', 'local-1'), pvc('pending'), pvc('dangling', 'missing')],
    pvs: [localPv('local-1', 'n2')],
  });

  it('places a pod using a local PV only on the PV node', () => {
    const r = filterAll(plugin, c, mounting('bound'));
    assert.deepEqual(reasons(r), { n1: VOLUME_CONFLICT_REASON, n2: '' });
    assert.equal(r.byNode.get('n1')?.code, 'UnschedulableAndUnresolvable');
    assert.equal(VOLUME_CONFLICT_REASON, 'node(s) had volume node affinity conflict');
  });

  it('rejects every node when a claim is missing, unbound, or bound to a missing volume', () => {
    assert.equal(
      filterAll(plugin, c, mounting('nope')).preFilter?.reasons[0],
      'persistentvolumeclaim "nope" not found',
    );
    assert.equal(
      filterAll(plugin, c, mounting('pending')).preFilter?.reasons[0],
      'pod has unbound immediate PersistentVolumeClaims',
    );
    assert.equal(
      filterAll(plugin, c, mounting('dangling')).preFilter?.reasons[0],
      'pvc(s) bound to non-existent pv(s)',
    );
  });

  it('places a pod whose claim waits for its first consumer only where a fitting volume is', () => {
    const cls = (name: string, provisioner: string): StorageClass => ({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: meta(name),
      provisioner,
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    const claim = (name: string, className: string): PersistentVolumeClaim => ({
      ...pvc(name),
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: className,
        resources: { requests: { storage: '1Gi' } },
      },
    });
    const onN2 = {
      ...localPv('local-2', 'n2'),
      spec: {
        ...localPv('local-2', 'n2').spec,
        storageClassName: 'local',
        accessModes: ['ReadWriteOnce' as const],
      },
    };
    const wc = cluster([node('n1'), node('n2')], [], {
      pvcs: [claim('wait', 'local'), claim('dynamic', 'csi'), claim('none', 'empty')],
      pvs: [onN2],
      storageClasses: [
        cls('local', 'kubernetes.io/no-provisioner'),
        cls('csi', 'example.com/csi'),
        cls('empty', 'kubernetes.io/no-provisioner'),
      ],
    });
    assert.deepEqual(reasons(filterAll(plugin, wc, mounting('wait'))), { n1: NO_VOLUMES_REASON, n2: '' });
    // A provisioner makes the volume where the pod goes.
    assert.deepEqual(reasons(filterAll(plugin, wc, mounting('dynamic'))), { n1: '', n2: '' });
    assert.deepEqual(reasons(filterAll(plugin, wc, mounting('none'))), {
      n1: NO_VOLUMES_REASON,
      n2: NO_VOLUMES_REASON,
    });
    assert.deepEqual(
      delayedClaims(info(mounting('wait')), wc).map((c) => c.metadata.name),
      ['wait'],
    );
  });

  it('ignores pods without claims', () => {
    assert.deepEqual(reasons(filterAll(plugin, c, pod('q'))), { n1: '', n2: '' });
  });
});
