/**
 * The `?labelSelector=` grammar, parsed with kube-apiserver's error texts:
 *
 *   selector    ::= requirement ("," requirement)*
 *   requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 *
 * Tokens are whitespace-separated; `in`/`notin` are keywords only where an operator is expected.
 */
import { badRequest } from '../errors.js';
import { tokenize, type Token, type TokenKind } from './lexer.js';
import {
  aggregate,
  BINARY_OPERATORS,
  byBytes,
  invalidValue,
  requirementErrors,
  sortByKey,
  type Operator,
  type Requirement,
} from './requirement.js';
import { labelKeyErrors } from './validation.js';

class ParseError extends Error {}

const BINARY_TOKENS: Partial<Record<TokenKind, Operator>> = {
  IN: 'in',
  NOTIN: 'notin',
  '=': '=',
  '==': '==',
  '!=': '!=',
  '>': 'gt',
  '<': 'lt',
};

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  /** Where a value may stand, the keywords `in`/`notin` are plain identifiers. */
  private peek(asValue = true): Token {
    const t = this.tokens[this.position]!;
    return asValue && (t.kind === 'IN' || t.kind === 'NOTIN') ? { kind: 'ID', literal: t.literal } : t;
  }

  private next(asValue = true): Token {
    const t = this.peek(asValue);
    this.position++;
    return t;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'EOS') return reqs;
      if (t.kind !== 'ID' && t.kind !== '!')
        throw new ParseError(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (err) {
        if (err instanceof ParseError) throw new ParseError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const after = this.next();
      if (after.kind === 'EOS') return reqs;
      if (after.kind !== ',')
        throw new ParseError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.kind !== 'ID' && following.kind !== '!')
        throw new ParseError(`found '${following.literal}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let t = this.next();
    let unary: Operator | undefined;
    if (t.kind === '!') {
      unary = '!';
      t = this.next();
    }
    if (t.kind !== 'ID') throw new ParseError(`found '${t.literal}', expected: identifier`);
    const key = t.literal;
    const keyErrs = labelKeyErrors(key);
    // The parser validates the key without a field path, which Go prints as `<nil>`.
    if (keyErrs.length > 0) throw new ParseError(invalidValue('<nil>', key, keyErrs.join('; ')));
    const after = this.peek().kind;
    if (unary === undefined && (after === 'EOS' || after === ',')) unary = 'exists';
    if (unary !== undefined) return checked(key, unary, []);

    const opToken = this.next(false);
    const op = BINARY_TOKENS[opToken.kind];
    if (op === undefined)
      throw new ParseError(`found '${opToken.literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    return checked(key, op, values);
  }

  /** `(a,b,,c)`: a set, so sorted and deduplicated; empty entries are the empty value. */
  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new ParseError(`found '${open.literal}' expected: '('`);
    const first = this.peek();
    if (first.kind === ')') {
      this.next();
      return [''];
    }
    if (first.kind !== 'ID' && first.kind !== ',')
      throw new ParseError(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const t = this.next();
      if (t.kind === 'ID') {
        values.add(t.literal);
        const after = this.peek();
        if (after.kind === ')') break;
        if (after.kind !== ',') throw new ParseError(`found '${after.literal}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (values.size === 0) values.add('');
        const after = this.peek().kind;
        if (after === ')') {
          values.add('');
          break;
        }
        if (after === ',') values.add('');
      } else {
        throw new ParseError(`found '${t.literal}', expected: ',', or identifier`);
      }
    }
    this.next();
    return [...values].sort(byBytes);
  }

  private exactValue(): string[] {
    const ahead = this.peek().kind;
    if (ahead === 'EOS' || ahead === ',') return [''];
    const t = this.next();
    if (t.kind !== 'ID') throw new ParseError(`found '${t.literal}', expected: identifier`);
    return [t.literal];
  }
}

function checked(key: string, operator: Operator, values: string[]): Requirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length > 0) throw new ParseError(aggregate(errs));
  return { key, operator, values };
}

/** Parses a query-string label selector into requirements sorted by key; bad input is a 400 BadRequest. */
export function parseRequirements(selector: string): Requirement[] {
  try {
    return sortByKey(new Parser(tokenize(selector)).parse());
  } catch (err) {
    if (err instanceof ParseError) throw badRequest(err.message);
    throw err;
  }
}
