/** Field selector values escape `\`, `,` and `=` with a backslash (k8s.io/apimachinery/pkg/fields). */

export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Undoes `escapeFieldValue`; a bare `,`/`=` or an unknown escape is an error message, as kube words it. */
export function unescapeFieldValue(s: string): { value: string } | { error: string } {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=')
        return { error: `invalid field selector: invalid escape sequence: \\${c}` };
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the offending rune with %v: its code point as a number.
      return { error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    } else {
      out += c;
    }
  }
  if (inSlash) return { error: 'invalid field selector: invalid escape sequence: \\' };
  return { value: out };
}
