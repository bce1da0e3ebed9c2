/**
 * What this controller last wrote to each service's slices, so that a sync working from an informer
 * cache that has not caught up with those writes waits instead of creating duplicates (the role of
 * kube-controller-manager's EndpointSliceTracker). Expectations expire in case a write is never seen.
 */
import type { EndpointSlice } from '../../client/objects.js';

const DELETED = -1;
const EXPIRY_MS = 30_000;

interface Expectation {
  generation: number;
  at: number;
}

export class SliceTracker {
  private readonly byService = new Map<string, Map<string, Expectation>>();

  private expectations(serviceKey: string): Map<string, Expectation> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, (m = new Map<string, Expectation>()));
    return m;
  }

  /** A slice written (created or updated) with this generation. */
  written(serviceKey: string, slice: EndpointSlice): void {
    this.expectations(serviceKey).set(slice.metadata.uid, {
      generation: slice.metadata.generation ?? 1,
      at: Date.now(),
    });
  }

  deleted(serviceKey: string, slice: EndpointSlice): void {
    this.expectations(serviceKey).set(slice.metadata.uid, { generation: DELETED, at: Date.now() });
  }

  /** Whether `cached` (the service's slices in the cache) misses one of the writes; seen ones are dropped. */
  stale(serviceKey: string, cached: EndpointSlice[]): boolean {
    const m = this.byService.get(serviceKey);
    if (!m) return false;
    const byUid = new Map(cached.map((s) => [s.metadata.uid, s]));
    let stale = false;
    for (const [uid, e] of m) {
      const slice = byUid.get(uid);
      const seen =
        e.generation === DELETED
          ? !slice
          : slice !== undefined && (slice.metadata.generation ?? 1) >= e.generation;
      if (seen || Date.now() - e.at > EXPIRY_MS) m.delete(uid);
      else stale = true;
    }
    if (!m.size) this.byService.delete(serviceKey);
    return stale;
  }

  forget(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }
}
