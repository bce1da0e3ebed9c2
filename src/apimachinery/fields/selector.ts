/**
 * Field selectors (`?fieldSelector=`): `field=value`, `field==value`, `field!=value`, joined by commas
 * (AND), with kube's escaping of values. Fields are flat strings such as `metadata.name`; a field an
 * object does not have compares as the empty string.
 */
import { Buffer } from 'node:buffer';
import type { StatusError } from '../errors.js';
import { badRequest } from '../errors.js';
import { goQuote } from '../labels/go-quote.js';
import { escapeFieldValue, unescapeFieldValue } from './escape.js';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is read as `=`. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

export type Fields = Readonly<Record<string, string>>;

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  matches(fields: Fields): boolean;
  empty(): boolean;
  /** The value the selector demands for `field` (`field=v`), if any. */
  requiresExactMatch(field: string): string | undefined;
  /** Canonical form with values escaped, e.g. `metadata.name=a\,b,spec.nodeName!=`. */
  toString(): string;
}

class AndSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  matches(fields: Fields): boolean {
    return matchesFields(this, fields);
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

const OPERATORS = ['!=', '==', '='] as const;

/** Splits at commas that are not escaped; escapes stay in place for unescaping later. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** The first position holding an operator splits the term; `!=` and `==` win over `=` there. */
function splitTerm(term: string): [string, (typeof OPERATORS)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    const op = OPERATORS.find((o) => term.startsWith(o, i));
    if (op !== undefined) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Parses a field selector as kube-apiserver does (terms are sorted; whitespace is significant; an empty
 * string selects everything). Bad input throws a 400 BadRequest StatusError with kube's message.
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(selector).sort(byBytes)) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (split === undefined) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [field, op, raw] = split;
    const unescaped = unescapeFieldValue(raw);
    if ('error' in unescaped) throw badRequest(unescaped.error);
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value: unescaped.value });
  }
  return new AndSelector(reqs);
}

export function fieldSelectorFromSet(set: Fields): FieldSelector {
  return new AndSelector(Object.entries(set).map(([field, value]) => ({ field, operator: '=', value })));
}

export const everythingFields = (): FieldSelector => new AndSelector([]);

export function matchesFields(sel: FieldSelector, fields: Fields): boolean {
  return sel.requirements.every((r) => {
    const have = Object.hasOwn(fields, r.field) ? fields[r.field]! : '';
    return r.operator === '=' ? have === r.value : have !== r.value;
  });
}

/** The fields a selector tests, in its order, without repeats. */
export const selectorFields = (sel: FieldSelector): string[] => [
  ...new Set(sel.requirements.map((r) => r.field)),
];

/** The first field the selector uses that is not in `supported`, if any. */
export function unsupportedField(sel: FieldSelector, supported: ReadonlySet<string>): string | undefined {
  return sel.requirements.find((r) => !supported.has(r.field))?.field;
}

/**
 * 400 for a field a built-in kind does not index: kube's per-kind field label conversion functions
 * (pods, nodes, events, ..., and custom resources) word it this way.
 */
export const fieldLabelNotSupported = (field: string): StatusError =>
  badRequest(`field label not supported: ${field}`);

/**
 * 400 for kinds without a conversion function of their own, which only know metadata.name and
 * metadata.namespace (runtime.DefaultMetaV1FieldSelectorConversion).
 */
export const unknownFieldSelector = (field: string): StatusError =>
  badRequest(`${goQuote(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
