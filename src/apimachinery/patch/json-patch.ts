/**
 * JSON Patch (RFC 6902) as kube-apiserver applies it (gopkg.in/evanphx/json-patch.v4). Where that
 * library is more lenient than the RFC we follow it, since clients see its behaviour:
 * - array indices may be negative, counting from the end (`/list/-1` is the last element);
 * - `replace` of a missing object member adds it; `copy` from a missing member copies null;
 * - an operation without `value` uses null, and `test` of a missing member against null succeeds;
 * - a path of `""` can be `replace`d (object or array value) or `test`ed, not added to or removed;
 * - the first segment of a path is not checked, so a path without its leading `/` still resolves.
 * Copies are limited to 3 MiB in total per patch, kube's default --json-patch-max-copy-bytes.
 */
import { Buffer } from 'node:buffer';
import { badRequest, tooLarge } from '../errors.js';
import { cloneJson, isJsonObject, jsonEqual, type JsonObject, type JsonValue } from '../json.js';
import { patchRejected } from './errors.js';
import { jsonKindName } from './go-format.js';

export const MAX_JSON_PATCH_OPERATIONS = 10_000;
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

/** One operation as sent; null entries are kept (they fail when applied, as in kube). */
export type JsonPatchOperation = JsonObject | null;

/** A decoded object (an API object), or any JSON value. */
export type PatchTarget = JsonValue | { readonly [key: string]: unknown };

type Container = JsonObject | JsonValue[];

class OpError extends Error {}

/**
 * Checks the shape of a JSON Patch body: 400 BadRequest unless it is a list of objects (null is an
 * empty patch), 413 when it has more than 10000 operations.
 */
export function decodeJsonPatch(body: JsonValue): JsonPatchOperation[] {
  if (body === null) return [];
  if (!Array.isArray(body))
    throw badRequest(`json: cannot unmarshal ${jsonKindName(body)} into Go value of type jsonpatch.Patch`);
  const bad = body.find((op) => op !== null && !isJsonObject(op));
  if (bad !== undefined)
    throw badRequest(`json: cannot unmarshal ${jsonKindName(bad)} into Go value of type jsonpatch.Operation`);
  if (body.length > MAX_JSON_PATCH_OPERATIONS)
    throw tooLarge(
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${body.length}`,
    );
  return body as JsonPatchOperation[];
}

const decodeToken = (t: string) => t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));

/** Go's strconv.Atoi: optional sign, decimal digits. */
function atoi(key: string): number {
  if (!/^[+-]?[0-9]+$/.test(key)) throw new OpError(`not an array index: '${key}'`);
  return Number(key);
}

/** An index into an existing element (negative counts from the end). */
function elementIndex(arr: JsonValue[], key: string): number {
  let i = atoi(key);
  if (i < 0) {
    if (i < -arr.length) throw new OpError(`invalid index: ${i}`);
    i += arr.length;
  }
  if (i >= arr.length) throw new OpError(`invalid index: ${i}`);
  return i;
}

/** The value at `key`: undefined for a missing object member (not an error, as in kube). */
function get(con: Container, key: string): JsonValue | undefined {
  if (Array.isArray(con)) return con[elementIndex(con, key)];
  return Object.hasOwn(con, key) ? con[key] : undefined;
}

function add(con: Container, key: string, value: JsonValue): void {
  if (!Array.isArray(con)) {
    con[key] = value;
    return;
  }
  if (key === '-') {
    con.push(value);
    return;
  }
  let i = atoi(key);
  const size = con.length + 1;
  if (i >= size || i < -size) throw new OpError(`invalid index: ${i}`);
  if (i < 0) i += size;
  con.splice(i, 0, value);
}

function remove(con: Container, key: string): void {
  if (Array.isArray(con)) {
    con.splice(elementIndex(con, key), 1);
    return;
  }
  if (!Object.hasOwn(con, key)) throw new OpError(`unable to remove nonexistent key: ${key}`);
  delete con[key];
}

/** The container that holds the last segment of `path`, and that segment, or undefined. */
function locate(doc: Container, path: string): [Container, string] | undefined {
  const segments = path.split('/');
  if (segments.length < 2) return undefined;
  let con: Container = doc;
  for (const raw of segments.slice(1, -1)) {
    let next: JsonValue | undefined;
    try {
      next = get(con, decodeToken(raw));
    } catch {
      return undefined;
    }
    if (next === undefined || next === null || typeof next !== 'object') return undefined;
    con = next;
  }
  return [con, decodeToken(segments[segments.length - 1]!)];
}

function stringField(op: JsonObject, name: 'path' | 'from'): string {
  const v = op[name];
  if (v === undefined || v === null) throw new OpError(`operation missing ${name} field`);
  if (typeof v !== 'string') throw new OpError(`operation ${name} is not a string`);
  return v;
}

function mustLocate(doc: Container, path: string, what: string): [Container, string] {
  const found = locate(doc, path);
  if (found === undefined) throw new OpError(`${what}: doc is missing path: "${path}"`);
  return found;
}

class Patcher {
  private copied = 0;
  constructor(public doc: Container) {}

  apply(op: JsonPatchOperation): void {
    const kind = op !== null && typeof op.op === 'string' ? op.op : 'unknown';
    if (op === null) throw new OpError(`Unexpected kind: ${kind}`);
    const value = op.value ?? null;
    switch (kind) {
      case 'add': {
        const [con, key] = mustLocate(this.doc, stringField(op, 'path'), 'add operation does not apply');
        add(con, key, cloneJson(value));
        return;
      }
      case 'remove': {
        const [con, key] = mustLocate(this.doc, stringField(op, 'path'), 'remove operation does not apply');
        remove(con, key);
        return;
      }
      case 'replace':
        return this.replace(stringField(op, 'path'), op.value);
      case 'move': {
        const [fromCon, fromKey] = mustLocate(
          this.doc,
          stringField(op, 'from'),
          'move operation does not apply',
        );
        const moved = get(fromCon, fromKey) ?? null;
        remove(fromCon, fromKey);
        const [con, key] = mustLocate(this.doc, stringField(op, 'path'), 'move operation does not apply');
        add(con, key, moved);
        return;
      }
      case 'copy': {
        const [fromCon, fromKey] = mustLocate(
          this.doc,
          stringField(op, 'from'),
          'copy operation does not apply',
        );
        const copied = get(fromCon, fromKey) ?? null;
        const [con, key] = mustLocate(this.doc, stringField(op, 'path'), 'copy operation does not apply');
        this.copied += Buffer.byteLength(JSON.stringify(copied));
        if (this.copied > MAX_JSON_PATCH_COPY_BYTES)
          throw new OpError(`copies total ${this.copied} bytes, over the ${MAX_JSON_PATCH_COPY_BYTES} limit`);
        add(con, key, cloneJson(copied));
        return;
      }
      case 'test':
        return this.test(stringField(op, 'path'), op.value);
      default:
        throw new OpError(`Unexpected kind: ${kind}`);
    }
  }

  private replace(path: string, value: JsonValue | undefined): void {
    if (path === '') {
      if (value === undefined || value === null || typeof value !== 'object')
        throw new OpError('replace operation value must be object or array');
      this.doc = cloneJson(value);
      return;
    }
    const [con, key] = mustLocate(this.doc, path, 'replace operation does not apply');
    if (Array.isArray(con)) con[elementIndex(con, key)] = cloneJson(value ?? null);
    else con[key] = cloneJson(value ?? null);
  }

  private test(path: string, expected: JsonValue | undefined): void {
    const failed = () => new OpError(`testing value ${path} failed`);
    if (path === '') {
      if (expected === undefined || !jsonEqual(this.doc, expected)) throw failed();
      return;
    }
    const [con, key] = mustLocate(this.doc, path, 'test operation does not apply');
    const actual = get(con, key);
    if (actual === undefined || actual === null) {
      if (expected !== undefined && expected !== null) throw failed();
      return;
    }
    if (expected === undefined || !jsonEqual(actual, expected)) throw failed();
  }
}

/**
 * Applies a JSON Patch body (the request body as JSON.parse returns it) to a document, returning a new document; the input is
 * not modified. A malformed body is 400 (or 413); an operation that does not apply is kube's 422.
 */
export function applyJsonPatch(doc: PatchTarget, patch: unknown): JsonValue {
  const ops = decodeJsonPatch(patch as JsonValue);
  const target = doc as JsonValue;
  if (target === null || typeof target !== 'object')
    throw patchRejected('the document is not an object or array');
  const patcher = new Patcher(cloneJson(target));
  for (const op of ops) {
    try {
      patcher.apply(op);
    } catch (err) {
      if (err instanceof OpError) throw patchRejected(err.message);
      throw err;
    }
  }
  return patcher.doc;
}
