/**
 * Which PersistentVolume a claim may bind to, as the PV binder decides it: same storage class and
 * volume mode, access modes covering the claim's, the claim's label selector, enough capacity, not
 * promised to another claim, and (for WaitForFirstConsumer claims) reachable from the consumer's node.
 * Among candidates a volume pre-bound to the claim wins, then the smallest that fits.
 */
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import { Quantity } from '../../apimachinery/quantity.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../client/objects.js';

/** What volume matching needs of a node: its name and labels. */
export type NodeLike = { metadata: { name: string; labels?: Record<string, string> } };
import { nodeMatchesSelector } from './node-selector.js';

/** Set on a claim that waits for its first consumer once the scheduler has picked the consumer's node. */
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** A StorageClass whose volumes an administrator creates by hand (no dynamic provisioning). */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export const claimClass = (pvc: PersistentVolumeClaim): string => pvc.spec?.storageClassName ?? '';
export const volumeClass = (pv: PersistentVolume): string => pv.spec?.storageClassName ?? '';

export function storageOf(list: Record<string, unknown> | undefined): Quantity {
  return Quantity.tryParse(list?.['storage'] as string | number | undefined) ?? Quantity.zero();
}

/** The volume is promised to exactly this claim (by uid, or by name before the claim got one). */
export function isPreboundTo(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  return (
    !!ref &&
    ref.name === pvc.metadata.name &&
    ref.namespace === pvc.metadata.namespace &&
    (!ref.uid || ref.uid === pvc.metadata.uid)
  );
}

/** Why `pv` cannot serve `pvc`, or undefined when it can. */
export function mismatch(
  pv: PersistentVolume,
  pvc: PersistentVolumeClaim,
  node?: NodeLike,
): string | undefined {
  if (pv.metadata.deletionTimestamp) return 'being deleted';
  if (pv.spec?.claimRef && !isPreboundTo(pv, pvc)) return 'bound to another claim';
  if (volumeClass(pv) !== claimClass(pvc)) return 'storage class differs';
  if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem'))
    return 'volume mode differs';
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(pvc.spec?.accessModes ?? []).every((m) => modes.has(m))) return 'access modes not supported';
  const selector = pvc.spec?.selector;
  if (selector && !selectorFromLabelSelector(selector).matches(pv.metadata.labels))
    return 'labels do not match the selector';
  const wanted = storageOf(pvc.spec?.resources?.requests);
  if (storageOf(pv.spec?.capacity).cmp(wanted) < 0) return 'too small';
  const required = pv.spec?.nodeAffinity?.required;
  if (node && required && !nodeMatchesSelector(node, required)) return 'node affinity conflict';
  return undefined;
}

/** The best volume for `pvc` among `pvs`, or undefined. */
export function findBestMatch(
  pvs: readonly PersistentVolume[],
  pvc: PersistentVolumeClaim,
  node?: NodeLike,
): PersistentVolume | undefined {
  let best: PersistentVolume | undefined;
  for (const pv of pvs) {
    if (mismatch(pv, pvc, node) !== undefined) continue;
    if (isPreboundTo(pv, pvc)) return pv;
    if (!best || storageOf(pv.spec?.capacity).cmp(storageOf(best.spec?.capacity)) < 0) best = pv;
  }
  return best;
}
