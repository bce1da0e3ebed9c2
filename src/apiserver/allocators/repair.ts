/**
 * The repair pass of the Service allocators, like kube-apiserver's ipallocator and portallocator
 * repair controllers: it compares the allocations in the store with what the Services hold, at one
 * store revision, and
 * - records allocations that are missing (a Service stored while its allocation key was lost),
 * - releases allocations no Service holds (a crash between a write and its release, or between an
 *   allocation and the Service write).
 * An allocation may be taken just before its Service is written, so outside startup a value is
 * released only after it was seen leaked on several passes in a row.
 */
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { Logger } from '../../util/log.js';
import type { ObjectStore } from '../registry/object-store.js';
import { clusterIPsHeld, nodePortsOf, ownerOf } from './service-allocator.js';
import type { ServiceAllocator } from './service-allocator.js';
import type { StoreAllocator } from './store-allocator.js';

/** Passes in a row a value must be seen leaked before a running server releases it. */
export const LEAK_PASSES = 3;

export interface RepairResult {
  released: string[];
  restored: string[];
  /** Values two Services claim. */
  duplicates: string[];
}

export class AllocationRepair {
  private readonly leakSeen = new Map<string, number>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly services: ResourceDefinition,
    private readonly alloc: ServiceAllocator,
    private readonly log: Logger,
  ) {}

  /** One pass. `immediate` (startup, nothing in flight) releases leaks on first sight. */
  async run(immediate = false): Promise<RepairResult> {
    const result: RepairResult = { released: [], restored: [], duplicates: [] };
    const list = await this.objects.list(this.services, undefined);
    const revision = Number(list.resourceVersion);
    const wantIPs = new Map<string, StoredObject>();
    const wantPorts = new Map<string, StoredObject>();
    for (const svc of list.items) {
      for (const ip of clusterIPsHeld(svc)) claim(wantIPs, ip, svc, this.alloc.ips, result, this.log);
      for (const port of nodePortsOf(svc))
        claim(wantPorts, String(port), svc, this.alloc.ports, result, this.log);
    }
    await this.reconcile('ip', this.alloc.ips, wantIPs, revision, immediate, result);
    await this.reconcile('port', this.alloc.ports, wantPorts, revision, immediate, result);
    return result;
  }

  private async reconcile(
    kind: string,
    alloc: StoreAllocator,
    wanted: Map<string, StoredObject>,
    revision: number,
    immediate: boolean,
    result: RepairResult,
  ): Promise<void> {
    const held = await alloc.list(revision);
    const heldValues = new Set(held.map((h) => h.value));
    for (const [value, svc] of wanted) {
      this.leakSeen.delete(`${kind}/${value}`);
      if (heldValues.has(value)) continue;
      if (await alloc.restore(value, ownerOf(svc))) {
        result.restored.push(value);
        this.log.warn('repair: recorded an allocation that was missing', {
          [kind]: value,
          service: `${svc.metadata.namespace}/${svc.metadata.name}`,
        });
      }
    }
    for (const h of held) {
      if (wanted.has(h.value)) continue;
      const key = `${kind}/${h.value}`;
      const seen = (this.leakSeen.get(key) ?? 0) + 1;
      if (!immediate && seen < LEAK_PASSES) {
        this.leakSeen.set(key, seen);
        continue;
      }
      this.leakSeen.delete(key);
      if (await alloc.forget(h.value, h.modRevision)) {
        result.released.push(h.value);
        this.log.info('repair: released an allocation no Service holds', { [kind]: h.value });
      }
    }
    // Forget counts of values that are no longer allocated at all.
    for (const key of [...this.leakSeen.keys()])
      if (key.startsWith(`${kind}/`) && !heldValues.has(key.slice(kind.length + 1)))
        this.leakSeen.delete(key);
  }
}

function claim(
  wanted: Map<string, StoredObject>,
  value: string,
  svc: StoredObject,
  alloc: StoreAllocator,
  result: RepairResult,
  log: Logger,
): void {
  if (alloc.range.offsetOf(value) === undefined) {
    log.warn('repair: a Service holds a value outside the configured range', {
      value,
      range: alloc.range.text,
      service: `${svc.metadata.namespace}/${svc.metadata.name}`,
    });
    return;
  }
  const other = wanted.get(value);
  if (other) {
    result.duplicates.push(value);
    log.error('repair: two Services hold the same value', {
      value,
      services: [
        `${other.metadata.namespace}/${other.metadata.name}`,
        `${svc.metadata.namespace}/${svc.metadata.name}`,
      ],
    });
    return;
  }
  wanted.set(value, svc);
}
