/**
 * Label selectors: the query-string form (`?labelSelector=`) and metav1.LabelSelector in objects, with
 * k8s.io/apimachinery's matching semantics and canonical string form.
 */
import { badRequest } from '../errors.js';
import { goQuote } from './go-quote.js';
import { parseRequirements } from './parse.js';
import {
  aggregate,
  byBytes,
  requirementErrors,
  requirementMatches,
  requirementToString,
  sortByKey,
  type Operator,
  type Requirement,
} from './requirement.js';

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  /** Sorted by key. Empty for both everything and nothing; tell them apart with `matchesNothing()`. */
  readonly requirements: readonly Requirement[];
  /** Absent labels are no labels. */
  matches(labels: Labels | undefined): boolean;
  /** True when the selector does not restrict anything (matches every object). */
  empty(): boolean;
  /** True only for the selector of a null/absent metav1.LabelSelector. */
  matchesNothing(): boolean;
  /** The value a selector demands for `key` (`key=v`, `key==v`, `key in (v)`), if any. */
  requiresExactMatch(key: string): string | undefined;
  /** The canonical query string, e.g. `app=web,tier in (a,b),!canary`. */
  toString(): string;
}

class RequirementsSelector implements LabelSelector {
  constructor(readonly requirements: readonly Requirement[]) {}

  matches(labels: Labels | undefined): boolean {
    const ls = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, ls));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  matchesNothing(): boolean {
    return false;
  }

  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((req) => req.key === key);
    if (r === undefined || r.values.length !== 1) return undefined;
    return r.operator === '=' || r.operator === '==' || r.operator === 'in' ? r.values[0] : undefined;
  }

  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

class NothingSelector implements LabelSelector {
  readonly requirements: readonly Requirement[] = [];
  matches(): boolean {
    return false;
  }
  empty(): boolean {
    return false;
  }
  matchesNothing(): boolean {
    return true;
  }
  requiresExactMatch(): undefined {
    return undefined;
  }
  toString(): string {
    return '';
  }
}

const EVERYTHING: LabelSelector = new RequirementsSelector([]);
const NOTHING: LabelSelector = new NothingSelector();

export const everything = (): LabelSelector => EVERYTHING;
export const nothing = (): LabelSelector => NOTHING;

/**
 * Parses `?labelSelector=` as kube-apiserver does: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a`, `!a`, `a>1`, `a<1`, joined by commas (AND). An empty string selects everything. Bad input throws
 * a 400 BadRequest StatusError with kube's message, e.g. `unable to parse requirement: found '', expected: '('`.
 */
export function parseLabelSelector(selector: string): LabelSelector {
  const reqs = parseRequirements(selector);
  return reqs.length === 0 ? EVERYTHING : new RequirementsSelector(reqs);
}

/** Equality on every label of the set, without validation (kube's SelectorFromValidatedSet). */
export function selectorFromSet(set: Labels | undefined | null): LabelSelector {
  const reqs = Object.entries(set ?? {}).map(([key, v]): Requirement => ({
    key,
    operator: '=',
    values: [v],
  }));
  return reqs.length === 0 ? EVERYTHING : new RequirementsSelector(sortByKey(reqs));
}

export interface LabelSelectorRequirementSpec {
  key: string;
  operator: string;
  values?: string[] | null;
}

/** metav1.LabelSelector as it appears in objects (spec.selector, podSelector, ...). */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementSpec[] | null;
}

const SPEC_OPERATORS: Readonly<Record<string, Operator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelector to a selector, with kube's LabelSelectorAsSelector semantics:
 * - `null`/`undefined` (the field is absent) selects **nothing**;
 * - `{}` (no matchLabels and no matchExpressions) selects **everything**;
 * - otherwise every matchLabels pair and every expression must hold.
 * An invalid key, value or operator throws a 400 BadRequest StatusError with kube's message.
 */
export function selectorFromLabelSelector(spec: LabelSelectorSpec | null | undefined): LabelSelector {
  if (spec === null || spec === undefined) return NOTHING;
  const matchLabels = Object.entries(spec.matchLabels ?? {}).sort(([a], [b]) => byBytes(a, b));
  const expressions = spec.matchExpressions ?? [];
  if (matchLabels.length + expressions.length === 0) return EVERYTHING;

  const reqs: Requirement[] = [];
  const add = (key: string, operator: Operator, values: string[]) => {
    const errs = requirementErrors(key, operator, values);
    if (errs.length > 0) throw badRequest(aggregate(errs));
    reqs.push({ key, operator, values });
  };
  for (const [key, value] of matchLabels) add(key, '=', [value]);
  for (const expr of expressions) {
    const op = SPEC_OPERATORS[expr.operator];
    if (op === undefined)
      throw badRequest(`${goQuote(expr.operator)} is not a valid label selector operator`);
    add(expr.key, op, [...(expr.values ?? [])]);
  }
  return new RequirementsSelector(sortByKey(reqs));
}

/**
 * Like `selectorFromLabelSelector`, but an absent selector selects everything: for the API fields whose
 * documented meaning is "no selector = all objects" rather than kube's conversion default.
 */
export function selectorFromOptionalLabelSelector(spec: LabelSelectorSpec | null | undefined): LabelSelector {
  return spec === null || spec === undefined ? EVERYTHING : selectorFromLabelSelector(spec);
}
