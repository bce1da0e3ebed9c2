/**
 * Resource-specific work around a store write that the generic REST handlers call, like the
 * BeginCreate/BeginUpdate/AfterDelete hooks of kube-apiserver's generic registry. A begin hook may
 * change the object (allocated fields) and returns a transaction: commit once the write is stored,
 * revert when it fails. Service IP and port allocation is the first user.
 */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition } from '../../api/types.js';

export interface WriteTxn {
  commit(): Promise<void>;
  revert(): Promise<void>;
}

export interface WriteHooks {
  beginCreate?(obj: StoredObject, dryRun: boolean): Promise<WriteTxn>;
  beginUpdate?(obj: StoredObject, old: StoredObject, dryRun: boolean): Promise<WriteTxn>;
  /** After the object is gone from the store. */
  afterDelete?(obj: StoredObject): Promise<void>;
}

export type WriteHooksLookup = (def: ResourceDefinition) => WriteHooks | undefined;

const NOTHING: WriteTxn = { commit: async () => {}, revert: async () => {} };

/** Runs `write` inside the hook's transaction: committed on success, reverted on failure. */
export async function withTxn<T>(txn: WriteTxn | undefined, write: () => Promise<T>): Promise<T> {
  const t = txn ?? NOTHING;
  let result: T;
  try {
    result = await write();
  } catch (err) {
    await t.revert();
    throw err;
  }
  await t.commit();
  return result;
}
