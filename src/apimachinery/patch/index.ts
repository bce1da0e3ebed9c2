export {
  applyJsonPatch,
  decodeJsonPatch,
  MAX_JSON_PATCH_OPERATIONS,
  MAX_JSON_PATCH_COPY_BYTES,
} from './json-patch.js';
export type { JsonPatchOperation, PatchTarget } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { fieldSchema, type SmpSchema } from './smp-schema.js';
export {
  containerSchema,
  genericSchema,
  objectMetaSchema,
  podSpecSchema,
  podTemplateSpecSchema,
  smpSchemaFor,
} from './builtin-schemas.js';
export {
  applyPatch,
  parsePatchBody,
  JSON_PATCH,
  MERGE_PATCH,
  STRATEGIC_MERGE_PATCH,
  type PatchType,
} from './body.js';
export { patchFailed, patchRejected, REJECTED_MESSAGE } from './errors.js';
