/**
 * Controller expectations: after a controller creates or deletes N pods for an owner it waits for the
 * informer to observe them before acting on that owner again, so a stale cache never causes a second
 * round of creates (the "exact count under races" guarantee). Expectations expire after 5 minutes in
 * case an event is lost.
 */
const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Expectation {
  adds: number;
  dels: number;
  /** Keys of the objects we expect to see deleted, so a duplicate delete event is counted once. */
  deleting: Set<string>;
  setAt: number;
}

export class Expectations {
  private readonly byOwner = new Map<string, Expectation>();

  /** Record that `adds` creates and the deletion of `deleteKeys` are in flight for `owner`. */
  expect(owner: string, adds: number, deleteKeys: string[] = []): void {
    this.byOwner.set(owner, {
      adds,
      dels: deleteKeys.length,
      deleting: new Set(deleteKeys),
      setAt: Date.now(),
    });
  }

  /** Adds `adds` more creates and the deletion of `deleteKeys` to what is pending for `owner`. */
  raise(owner: string, adds: number, deleteKeys: string[] = []): void {
    const e = this.byOwner.get(owner);
    if (!e) return this.expect(owner, adds, deleteKeys);
    e.adds = Math.max(0, e.adds) + adds;
    for (const k of deleteKeys)
      if (!e.deleting.has(k)) {
        e.deleting.add(k);
        e.dels = Math.max(0, e.dels) + 1;
      }
    e.setAt = Date.now();
  }

  /** The informer saw one of the creates (or the create failed and will never be seen). */
  observedAdd(owner: string): void {
    const e = this.byOwner.get(owner);
    if (e && e.adds > 0) e.adds--;
  }

  /** The informer saw `key` deleted (or the delete failed). */
  observedDelete(owner: string, key: string): void {
    const e = this.byOwner.get(owner);
    if (e?.deleting.delete(key)) e.dels--;
  }

  /** True when nothing is pending for `owner` (or what was pending has expired). */
  satisfied(owner: string): boolean {
    const e = this.byOwner.get(owner);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels <= 0) || Date.now() - e.setAt > EXPECTATIONS_TTL_MS) {
      this.byOwner.delete(owner);
      return true;
    }
    return false;
  }

  forget(owner: string): void {
    this.byOwner.delete(owner);
  }
}
