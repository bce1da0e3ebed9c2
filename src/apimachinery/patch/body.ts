/** The request side of PATCH: the patch types kube-apiserver accepts and the body they carry. */
import type { JsonValue } from '../json.js';
import { invalidPatchJson } from './errors.js';
import { applyJsonPatch, type PatchTarget } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import type { SmpSchema } from './smp-schema.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export type PatchType = typeof JSON_PATCH | typeof MERGE_PATCH | typeof STRATEGIC_MERGE_PATCH;

/** Parses a PATCH body; invalid JSON is 400 `invalid JSON patch`, as kube answers for every patch type. */
export function parsePatchBody(body: string): JsonValue {
  try {
    return JSON.parse(body) as JsonValue;
  } catch {
    throw invalidPatchJson();
  }
}

/** Applies a parsed patch body of the given type; `schema` is used by strategic merge patches. */
export function applyPatch(type: PatchType, doc: PatchTarget, patch: unknown, schema: SmpSchema): JsonValue {
  switch (type) {
    case JSON_PATCH:
      return applyJsonPatch(doc, patch);
    case MERGE_PATCH:
      return applyMergePatch(doc, patch);
    case STRATEGIC_MERGE_PATCH:
      return applyStrategicMergePatch(doc, patch, schema);
  }
}
