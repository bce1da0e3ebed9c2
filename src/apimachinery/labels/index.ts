export {
  everything,
  nothing,
  parseLabelSelector,
  selectorFromLabelSelector,
  selectorFromOptionalLabelSelector,
  selectorFromSet,
  type LabelSelector,
  type LabelSelectorRequirementSpec,
  type LabelSelectorSpec,
  type Labels,
} from './selector.js';
export type { Operator, Requirement } from './requirement.js';
export {
  dns1123SubdomainErrors,
  labelKeyErrors,
  labelValueErrors,
  LABEL_VALUE_MAX_LENGTH,
} from './validation.js';
