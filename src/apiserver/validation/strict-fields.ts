/**
 * Strict decoding checks, as Kubernetes' strict JSON decoder reports them: `unknown field "spec.foo"`
 * for a name the type does not declare (case-sensitive) and `duplicate field "spec.replicas"` for a
 * name given twice in one object. Paths join struct fields and map keys with dots and list indexes as
 * `[i]`. The value of an unknown field is not looked into; at most 100 distinct errors are kept.
 */
import type { FieldNode } from '../../api/schema/field-tree.js';

const MAX_ERRORS = 100;

class Errors {
  readonly list: string[] = [];
  private readonly seen = new Set<string>();

  add(type: 'unknown field' | 'duplicate field', path: string): void {
    const text = `${type} ${JSON.stringify(path)}`;
    if (this.list.length >= MAX_ERRORS || this.seen.has(text)) return;
    this.seen.add(text);
    this.list.push(text);
  }
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * A single pass over JSON text (already known to parse) that reports unknown and duplicate fields in
 * document order. `node` null means an untyped map: only duplicates are reported, at every depth.
 */
class JsonScanner {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly errors: Errors,
  ) {}

  scan(node: FieldNode | null): void {
    this.value(node, '', true);
  }

  private ws(): void {
    let c = this.text.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = this.text.charCodeAt(++this.pos);
  }

  /** `check` false: skip the value (an unknown field's, or a free-form one's). */
  private value(node: FieldNode | null, path: string, check: boolean): void {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') this.object(node, path, check);
    else if (c === '[') this.array(node, path, check);
    else if (c === '"') this.string();
    else this.literal();
  }

  private object(node: FieldNode | null, path: string, check: boolean): void {
    this.pos++; // {
    const keys = check ? new Set<string>() : undefined;
    for (;;) {
      this.ws();
      if (this.text[this.pos] === '}') break;
      const key = this.string();
      this.ws();
      this.pos++; // :
      let child: FieldNode | null = null;
      let checkChild = check;
      if (check) {
        const at = join(path, key);
        if (keys!.has(key)) this.errors.add('duplicate field', at);
        keys!.add(key);
        if (node?.kind === 'struct') {
          const f = node.fields.get(key);
          if (!f) {
            this.errors.add('unknown field', at);
            checkChild = false;
          } else child = f;
        } else if (node?.kind === 'map') child = node.values;
        else if (node) checkChild = false; // free-form: Go decodes it without strictness
        this.value(child, at, checkChild);
      } else this.value(null, path, false);
      this.ws();
      if (this.text[this.pos] === ',') this.pos++;
    }
    this.pos++; // }
  }

  private array(node: FieldNode | null, path: string, check: boolean): void {
    this.pos++; // [
    const items = node?.kind === 'list' ? node.items : null;
    const checkItems = check && (node === null || node.kind === 'list');
    for (let i = 0; ; i++) {
      this.ws();
      if (this.text[this.pos] === ']') break;
      this.value(items, `${path}[${i}]`, checkItems);
      this.ws();
      if (this.text[this.pos] === ',') this.pos++;
    }
    this.pos++; // ]
  }

  private string(): string {
    const start = this.pos++;
    let escaped = false;
    for (;;) {
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5c) {
        escaped = true;
        this.pos++;
      } else if (c === 0x22 || Number.isNaN(c)) break;
    }
    const raw = this.text.slice(start, this.pos);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  private literal(): void {
    while (this.pos < this.text.length && !/[\s,\]}]/.test(this.text[this.pos]!)) this.pos++;
  }
}

/** Unknown and duplicate fields of a JSON document against a kind's field tree (null: duplicates only). */
export function strictJsonErrors(text: string, root: FieldNode | null): string[] {
  const errors = new Errors();
  new JsonScanner(text, errors).scan(root);
  return errors.list;
}

/** Paths of the fields an already decoded value has and the type does not declare; keys in sorted order. */
export function unknownFieldPaths(value: unknown, root: FieldNode): string[] {
  const paths: string[] = [];
  const walk = (v: unknown, node: FieldNode, path: string): void => {
    if (v === null || typeof v !== 'object' || paths.length >= MAX_ERRORS) return;
    if (Array.isArray(v)) {
      if (node.kind === 'list') v.forEach((item, i) => walk(item, node.items, `${path}[${i}]`));
      return;
    }
    if (node.kind !== 'struct' && node.kind !== 'map') return;
    for (const key of Object.keys(v).sort()) {
      const child = node.kind === 'map' ? node.values : node.fields.get(key);
      if (!child) {
        if (paths.length < MAX_ERRORS) paths.push(join(path, key));
      } else walk((v as Record<string, unknown>)[key], child, join(path, key));
    }
  };
  walk(value, root, '');
  return paths;
}

/** Unknown fields of an already decoded value (a YAML body, a patched object); keys in sorted order. */
export function unknownFieldErrors(value: unknown, root: FieldNode): string[] {
  const errors = new Errors();
  for (const path of unknownFieldPaths(value, root)) errors.add('unknown field', path);
  return errors.list;
}

/**
 * Removes the fields the type does not declare, in place: decoding into Kubernetes' typed objects drops
 * them whatever the validation directive, so they are never stored.
 */
export function pruneUnknownFields(value: unknown, node: FieldNode): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (node.kind === 'list') for (const item of value) pruneUnknownFields(item, node.items);
    return;
  }
  const o = value as Record<string, unknown>;
  if (node.kind === 'map') for (const v of Object.values(o)) pruneUnknownFields(v, node.values);
  else if (node.kind === 'struct')
    for (const key of Object.keys(o)) {
      const child = node.fields.get(key);
      if (child) pruneUnknownFields(o[key], child);
      else delete o[key];
    }
}
