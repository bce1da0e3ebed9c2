/** IPv4 addresses as unsigned 32-bit numbers, and CIDR blocks: what Service, node and pod IPAM share. */

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Ipv4Cidr {
  /** The network address (host bits cleared). */
  network: number;
  /** Prefix length, 0..32. */
  bits: number;
  /** How many addresses the block spans. */
  size: number;
  /** `10.42.0.0/16`, normalised. */
  text: string;
}

/** `10.42.0.0/16` as a block (host bits cleared); undefined when it is not an IPv4 CIDR. */
export function parseIPv4Cidr(text: string): Ipv4Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  const base = m ? parseIPv4(m[1]!) : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || base === undefined || !(bits >= 0 && bits <= 32)) return undefined;
  const network = (base & prefixMask(bits)) >>> 0;
  return { network, bits, size: 2 ** (32 - bits), text: `${formatIPv4(network)}/${bits}` };
}

/** The netmask of a prefix length as a number (`/24` → 0xffffff00). */
export function prefixMask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.bits >= outer.bits && (inner.network & prefixMask(outer.bits)) >>> 0 === outer.network;
}
