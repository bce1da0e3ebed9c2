import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/client/objects.js';
import { VOLUME_CONFLICT_REASON, VolumeBinding } from '../../src/scheduler/plugins/volume-binding.js';
import { cluster, filterAll, node, pod, reasons } from './fixtures.js';

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

  it('ignores pods without claims', () => {
    assert.deepEqual(reasons(filterAll(plugin, c, pod('q'))), { n1: '', n2: '' });
  });
});
