/** Who a write is recorded under: the `fieldManager` option, else the program name in the User-Agent. */
import type { FieldError } from '../errors.js';

/** kube's limit on fieldManager, in bytes. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const isPrintable = (ch: string) => ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);

/** The User-Agent up to its first `/` (`kubectl/v1.33.1 (linux/amd64) ...` → `kubectl`), printable, within the limit. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const program = (userAgent ?? '').split('/')[0]!;
  let out = '';
  let bytes = 0;
  for (const ch of program) {
    if (!isPrintable(ch)) continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** kube's checks on a fieldManager option (ValidateFieldManager). */
export function fieldManagerErrors(manager: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH)
    errs.push({
      type: 'FieldValueTooLong',
      field: 'fieldManager',
      detail: `Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`,
    });
  let position = 0;
  for (const ch of manager) {
    if (!isPrintable(ch))
      errs.push({
        type: 'FieldValueInvalid',
        field: 'fieldManager',
        detail: `Invalid value: ${JSON.stringify(manager)}: invalid character ${codePoint(ch)} (at position ${position})`,
      });
    position += Buffer.byteLength(ch);
  }
  return errs;
}
