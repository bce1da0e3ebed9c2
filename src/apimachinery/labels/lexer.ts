/** Tokens of the label selector query syntax, split the way k8s.io/apimachinery/pkg/labels' lexer does. */

export type TokenKind = 'EOS' | 'ID' | 'IN' | 'NOTIN' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';

export interface Token {
  kind: TokenKind;
  literal: string;
}

const SYMBOLS: ReadonlySet<string> = new Set(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);
const SPECIAL_CHARS: ReadonlySet<string> = new Set(['=', '!', '(', ')', ',', '>', '<']);
const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
// kube's lexer reads bytes and uses 0 as its end marker, so a NUL ends the input where a token would start.
const END = '\0';

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const read = () => (pos < input.length ? input[pos++]! : END);

  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === END) {
      tokens.push({ kind: 'EOS', literal: '' });
      return tokens;
    }
    if (SPECIAL_CHARS.has(ch)) {
      // The longest run of special characters that is still a symbol: `!=` but `=` then `>` for `=>`.
      let buffer = ch;
      let symbol = ch;
      while (pos < input.length && SPECIAL_CHARS.has(input[pos]!)) {
        buffer += input[pos]!;
        if (!SYMBOLS.has(buffer)) break;
        symbol = buffer;
        pos++;
      }
      tokens.push({ kind: symbol as TokenKind, literal: symbol });
      continue;
    }
    let word = ch;
    while (pos < input.length) {
      const next = input[pos]!;
      if (SPECIAL_CHARS.has(next) || isWhitespace(next)) break;
      pos++;
      if (next === END) break;
      word += next;
    }
    const kind: TokenKind = word === 'in' ? 'IN' : word === 'notin' ? 'NOTIN' : 'ID';
    tokens.push({ kind, literal: word });
  }
}
