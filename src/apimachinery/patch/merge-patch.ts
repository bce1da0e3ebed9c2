/**
 * JSON Merge Patch (RFC 7386) as kube-apiserver applies it (evanphx/json-patch.v4 MergePatch):
 * objects merge recursively, `null` deletes, anything else replaces. Differences from the RFC that
 * clients can see: a patch of `null` or a scalar is refused (400 `Invalid JSON Patch`) rather than
 * replacing the document, and null members are pruned from objects nested in newly set arrays too.
 */
import { badRequest } from '../errors.js';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../json.js';
import { patchFailed } from './errors.js';
import type { PatchTarget } from './json-patch.js';

function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) v.forEach((item) => item !== null && pruneNulls(item));
  else if (isJsonObject(v)) {
    for (const [k, item] of Object.entries(v)) {
      if (item === null) delete v[k];
      else pruneNulls(item);
    }
  }
  return v;
}

function mergeInto(cur: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(cur)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return patch;
  mergeObjects(cur, patch);
  return cur;
}

function mergeObjects(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete doc[k];
    else {
      const cur = doc[k];
      doc[k] = cur === undefined || cur === null ? pruneNulls(v) : mergeInto(cur, v);
    }
  }
}

/** Applies a merge patch (the parsed request body), returning a new document; the inputs are not modified. */
export function applyMergePatch(doc: PatchTarget, body: unknown): JsonValue {
  const patch = body as JsonValue;
  if (patch === null || typeof patch !== 'object') throw badRequest('Invalid JSON Patch');
  const p = cloneJson(patch);
  if (Array.isArray(p)) return pruneNulls(p);
  const target = doc as JsonValue;
  if (target === null) throw patchFailed('Invalid JSON Document');
  if (!isJsonObject(target)) return pruneNulls(p);
  const out = cloneJson(target);
  mergeObjects(out, p);
  return out;
}
