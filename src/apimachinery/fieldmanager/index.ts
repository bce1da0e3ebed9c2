export { FieldSet } from './field-set.js';
export { compareElements, keyElement, parseElement, pathString, serializeElement } from './path.js';
export type { Path, PathElement } from './path.js';
export { compareObjects, fieldSetOf, itemElement, listTypeOf } from './object-fields.js';
export type { Comparison, ListType } from './object-fields.js';
export { mergeApplied, removeFields } from './apply-merge.js';
export {
  decodeManagedFields,
  encodeManagedFields,
  identifierOf,
  isResetRequest,
  ManagedFieldsError,
} from './managed-fields.js';
export type { ManagedFieldsEntry, ManagerFields, Managers, Operation } from './managed-fields.js';
export {
  applyConfiguration,
  conflictError,
  LAST_APPLIED_ANNOTATION,
  managedFieldsForUpdate,
  MAX_UPDATE_MANAGERS,
} from './field-manager.js';
export type { ApplyRequest, ApplyResult, Conflict, WriteIdentity } from './field-manager.js';
export { FIELD_MANAGER_MAX_LENGTH, fieldManagerErrors, managerFromUserAgent } from './manager-name.js';
