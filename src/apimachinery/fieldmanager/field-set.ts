/**
 * A set of field paths, stored as a tree: each node has the elements that are members (the path ending
 * there is in the set) and the children it descends into. This is the shape of FieldsV1 JSON, where a
 * member with no children is `{}` and a member that also has children carries `".": {}`.
 */
import type { JsonObject } from '../json.js';
import { compareElements, parseElement, serializeElement } from './path.js';
import type { Path, PathElement } from './path.js';

interface Child {
  pe: PathElement;
  set: FieldSet;
}

export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();

  static of(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    const [first, ...rest] = path;
    if (!first) return;
    if (rest.length === 0) this.members.set(serializeElement(first), first);
    else this.descend(first).insert(rest);
  }

  private descend(pe: PathElement): FieldSet {
    const k = serializeElement(pe);
    let c = this.children.get(k);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  has(path: Path): boolean {
    const [first, ...rest] = path;
    if (!first) return false;
    if (rest.length === 0) return this.members.has(serializeElement(first));
    return this.child(first)?.has(rest) ?? false;
  }

  /** The subtree under `pe`, if any. */
  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(serializeElement(pe))?.set;
  }

  isEmpty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  /** Whether the set holds `path` or anything below it. */
  hasPrefix(path: Path): boolean {
    const [first, ...rest] = path;
    if (!first) return !this.isEmpty();
    if (rest.length === 0 && this.members.has(serializeElement(first))) return true;
    return this.child(first)?.hasPrefix(rest) ?? false;
  }

  union(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.members.set(k, pe);
    for (const [k, pe] of other.members) out.members.set(k, pe);
    const keys = new Set([...this.children.keys(), ...other.children.keys()]);
    for (const k of keys) {
      const a = this.children.get(k);
      const b = other.children.get(k);
      const set = a && b ? a.set.union(b.set) : (a ?? b)!.set.union(new FieldSet());
      out.children.set(k, { pe: (a ?? b)!.pe, set });
    }
    return out;
  }

  /** Paths in this set that are not in `other` (exact paths: children of removed members stay). */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      const set = o ? c.set.difference(o.set) : c.set.union(new FieldSet());
      if (!set.isEmpty()) out.children.set(k, { pe: c.pe, set });
    }
    return out;
  }

  /** Paths in this set that are neither in `other` nor below one of its members. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      const set = o ? c.set.recursiveDifference(o.set) : c.set.union(new FieldSet());
      if (!set.isEmpty()) out.children.set(k, { pe: c.pe, set });
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (other.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const set = c.set.intersection(o.set);
      if (!set.isEmpty()) out.children.set(k, { pe: c.pe, set });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every member path, in kube's order. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    const elements = new Map<string, PathElement>([...this.members]);
    for (const [k, c] of this.children) elements.set(k, c.pe);
    const sorted = [...elements.entries()].sort(([, a], [, b]) => compareElements(a, b));
    for (const [k, pe] of sorted) {
      const p = [...prefix, pe];
      if (this.members.has(k)) out.push(p);
      const c = this.children.get(k);
      if (c) out.push(...c.set.paths(p));
    }
    return out;
  }

  /** The FieldsV1 JSON form. */
  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    const elements = new Map<string, PathElement>([...this.members]);
    for (const [k, c] of this.children) if (!c.set.isEmpty()) elements.set(k, c.pe);
    const sorted = [...elements.entries()].sort(([, a], [, b]) => compareElements(a, b));
    for (const [k] of sorted) {
      const c = this.children.get(k);
      if (c && !c.set.isEmpty()) {
        const inner = c.set.toFieldsV1();
        if (this.members.has(k)) inner['.'] = {};
        out[k] = inner;
      } else {
        out[k] = {};
      }
    }
    return out;
  }

  /** Parses FieldsV1 JSON; throws PathElementError (or a TypeError for a non-object) when it is malformed. */
  static fromFieldsV1(json: unknown): FieldSet {
    const s = new FieldSet();
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      throw new TypeError('fieldsV1 must be a JSON object');
    for (const [key, inner] of Object.entries(json as Record<string, unknown>)) {
      if (key === '.') continue;
      const pe = parseElement(key);
      if (!pe) continue;
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
        throw new TypeError(`fieldsV1 entry ${key} must be a JSON object`);
      const entries = Object.keys(inner);
      const k = serializeElement(pe);
      if (entries.length === 0 || entries.includes('.')) s.members.set(k, pe);
      const sub = FieldSet.fromFieldsV1(inner);
      if (!sub.isEmpty()) s.children.set(k, { pe, set: sub });
    }
    return s;
  }
}
