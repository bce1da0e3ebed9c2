/**
 * resource.Quantity: `500m`, `2`, `1.5Gi`, `1e3`, `128974848`. Values are held as exact milli-units
 * (bigint), which is what the scheduler, quota and node code compare: CPU in millicores, memory and
 * storage in milli-bytes. Sub-milli values round up, as Kubernetes' MilliValue does.
 */
import type { FieldError } from './errors.js';
import { invalidValue } from './meta.js';

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** Kubernetes' message for a string that is not a quantity. */
export const QUANTITY_FORMAT_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class Quantity {
  private constructor(
    /** The value in thousandths of a unit. */
    readonly milli: bigint,
  ) {}

  static fromMilli(milli: bigint | number): Quantity {
    return new Quantity(BigInt(milli));
  }

  static zero(): Quantity {
    return new Quantity(0n);
  }

  /** Parses a quantity string (or a plain JSON number); throws an Error with Kubernetes' text when malformed. */
  static parse(input: string | number): Quantity {
    const q = Quantity.tryParse(input);
    if (!q) throw new Error(QUANTITY_FORMAT_MESSAGE);
    return q;
  }

  static tryParse(input: string | number | undefined | null): Quantity | undefined {
    if (input === undefined || input === null) return undefined;
    const s = typeof input === 'number' ? String(input) : input.trim();
    const m = QUANTITY.exec(s);
    if (!m) return undefined;
    const [, sign, digits = '0', suffix, exponent] = m;
    const [whole = '', frac = ''] = digits.split('.');
    // value = int(whole+frac) * 10^(-frac.length) * multiplier, kept exact as a rational over 10^k.
    let numerator = BigInt((whole || '0') + frac) * 1000n;
    let scale = frac.length; // numerator / 10^scale
    if (suffix && suffix in BINARY) numerator *= BINARY[suffix]!;
    else {
      const exp = suffix !== undefined ? DECIMAL[suffix]! : exponent !== undefined ? Number(exponent) : 0;
      if (Math.abs(exp) > 60) return undefined;
      if (exp >= 0) numerator *= 10n ** BigInt(exp);
      else scale -= exp;
    }
    const divisor = 10n ** BigInt(scale);
    let milli = numerator / divisor;
    if (numerator % divisor !== 0n) milli += 1n; // round up, as MilliValue does
    return new Quantity(sign === '-' ? -milli : milli);
  }

  /** The value in whole units, rounded up (Kubernetes' Value()). */
  value(): bigint {
    const v = this.milli / 1000n;
    return this.milli % 1000n > 0n ? v + 1n : v;
  }

  add(o: Quantity): Quantity {
    return new Quantity(this.milli + o.milli);
  }

  sub(o: Quantity): Quantity {
    return new Quantity(this.milli - o.milli);
  }

  cmp(o: Quantity): number {
    return this.milli < o.milli ? -1 : this.milli > o.milli ? 1 : 0;
  }

  isZero(): boolean {
    return this.milli === 0n;
  }

  /**
   * A canonical string: millis as `250m`, whole values with the largest exact binary suffix when
   * `binary` (memory), otherwise the largest exact decimal suffix.
   */
  toString(binary = false): string {
    const m = this.milli;
    if (m % 1000n !== 0n) return `${m}m`;
    const v = m / 1000n;
    if (v === 0n) return '0';
    if (binary) {
      for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'])
        if (v % BINARY[suffix]! === 0n) return `${v / BINARY[suffix]!}${suffix}`;
      return String(v);
    }
    for (const [suffix, exp] of [
      ['E', 18n],
      ['P', 15n],
      ['T', 12n],
      ['G', 9n],
      ['M', 6n],
      ['k', 3n],
    ] as const)
      if (v % 10n ** exp === 0n) return `${v / 10n ** exp}${suffix}`;
    return String(v);
  }
}

/** Validation helper: a field error for a malformed quantity at `path`, or none. */
export function quantityErrors(value: unknown, path: string): FieldError[] {
  if (typeof value === 'number' || (typeof value === 'string' && Quantity.tryParse(value))) return [];
  return [invalidValue(path, value, QUANTITY_FORMAT_MESSAGE)];
}

/** A ResourceList (`{cpu: '500m', memory: '1Gi'}`) as milli-unit quantities; malformed entries are skipped. */
export function resourceList(list: Record<string, string | number> | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, v] of Object.entries(list ?? {})) {
    const q = Quantity.tryParse(v);
    if (q) out.set(name, q);
  }
  return out;
}
