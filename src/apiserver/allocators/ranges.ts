/**
 * The address spaces Services allocate from: an IPv4 CIDR for cluster IPs and a port range for node
 * ports, each seen as offsets 0..size-1, with Kubernetes' split into a lower band kept for values users
 * choose and an upper band dynamic allocation prefers.
 */
import { formatIPv4, parseIPv4, parseIPv4Cidr } from '../../util/ipv4.js';

export { formatIPv4, parseIPv4 };

export interface Range {
  /** Number of allocatable values. */
  size: number;
  /** Offsets below this form the static band; dynamic allocation tries the offsets above it first. */
  staticBand: number;
  /** The value at an offset, as it is written in the API (`10.43.0.1`, `30080`). */
  valueAt(offset: number): string;
  /** The offset of a value, or undefined when it is not in the range. */
  offsetOf(value: string): number | undefined;
  /** How the range is named in error messages (`10.43.0.0/16`, `30000-32767`). */
  text: string;
}

/** min(max(lo, size/step), hi), or 0 for ranges of at most `lo` values — Kubernetes' band formula. */
function bandSize(total: number, lo: number, step: number, hi: number): number {
  if (total <= lo) return 0;
  return Math.min(Math.max(lo, Math.floor(total / step)), hi);
}

/**
 * A service CIDR such as `10.43.0.0/16`. The network and broadcast addresses are not allocatable, so
 * offset 0 is the first host address (10.43.0.1, the `kubernetes` Service's).
 */
export function serviceCidr(text: string): Range & { family: 'IPv4'; first: string } {
  const block = parseIPv4Cidr(text);
  if (!block)
    throw new Error(
      `invalid service CIDR ${JSON.stringify(text)}: must be an IPv4 CIDR such as 10.43.0.0/16`,
    );
  const { network, bits } = block;
  if (bits > 30) throw new Error(`service CIDR ${text} is too small: at least a /30 is needed`);
  const total = 2 ** (32 - bits);
  const size = total - 2;
  const cidr = `${formatIPv4(network)}/${bits}`;
  return {
    family: 'IPv4',
    size,
    staticBand: bandSize(total, 16, 16, 256),
    text: cidr,
    first: formatIPv4(network + 1),
    valueAt: (offset) => formatIPv4(network + 1 + offset),
    offsetOf(value) {
      const n = parseIPv4(value);
      if (n === undefined) return undefined;
      const off = n - network - 1;
      return off >= 0 && off < size ? off : undefined;
    },
  };
}

/** A node port range such as `30000-32767` (both ends included). */
export function portRange(text: string): Range & { base: number } {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!m || lo < 1 || hi > 65535 || lo > hi)
    throw new Error(`invalid port range ${JSON.stringify(text)}: must be FROM-TO such as 30000-32767`);
  const size = hi - lo + 1;
  return {
    size,
    base: lo,
    staticBand: bandSize(size, 16, 32, 128),
    text: `${lo}-${hi}`,
    valueAt: (offset) => String(lo + offset),
    offsetOf(value) {
      const n = Number(value);
      return Number.isInteger(n) && n >= lo && n <= hi ? n - lo : undefined;
    },
  };
}
