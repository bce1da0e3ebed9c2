export {
  everythingFields,
  fieldLabelNotSupported,
  fieldSelectorFromSet,
  matchesFields,
  parseFieldSelector,
  selectorFields,
  unknownFieldSelector,
  unsupportedField,
  type FieldRequirement,
  type FieldSelector,
  type Fields,
} from './selector.js';
export { escapeFieldValue, unescapeFieldValue } from './escape.js';
