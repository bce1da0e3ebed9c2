/**
 * Owners known not to exist (a lookup found nothing, or another uid), so that the dependents of one
 * deleted owner do not each look it up again. Bounded: the least recently used entries go first.
 */
import type { ObjectIdentity } from './graph.js';

const DEFAULT_SIZE = 500;

export function absentKey(id: ObjectIdentity): string {
  return JSON.stringify([id.uid, id.apiVersion, id.kind, id.namespace, id.name]);
}

export class AbsentOwnerCache {
  private readonly keys = new Set<string>();

  constructor(private readonly size = DEFAULT_SIZE) {}

  add(id: ObjectIdentity): void {
    const k = absentKey(id);
    this.keys.delete(k);
    this.keys.add(k);
    if (this.keys.size > this.size) this.keys.delete(this.keys.values().next().value!);
  }

  has(id: ObjectIdentity): boolean {
    const k = absentKey(id);
    if (!this.keys.has(k)) return false;
    this.keys.delete(k);
    this.keys.add(k);
    return true;
  }
}
