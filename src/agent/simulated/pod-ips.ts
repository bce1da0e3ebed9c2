/**
 * Pod IPs of one node, from its podCIDR, as host-local IPAM hands them out: the network address, the
 * gateway (.1) and the broadcast address are never given, and allocation goes round-robin from the last
 * address handed out so a freed IP is not reused at once.
 */
import { formatIPv4, parseIPv4, parseIPv4Cidr } from '../../util/ipv4.js';

export class PodAddressPool {
  private readonly first: number;
  /** How many addresses can be handed out. */
  readonly size: number;
  private readonly used: Uint8Array;
  private readonly byPod = new Map<string, number>();
  private next = 0;

  constructor(readonly cidr: string) {
    const block = parseIPv4Cidr(cidr);
    if (!block || block.bits > 30) throw new Error(`pod CIDR ${cidr} is not an IPv4 block of at least /30`);
    this.first = block.network + 2;
    this.size = block.size - 3;
    this.used = new Uint8Array(this.size);
  }

  /** How many pods hold an address. */
  get allocated(): number {
    return this.byPod.size;
  }

  has(uid: string): boolean {
    return this.byPod.has(uid);
  }

  /** The address of pod `uid`, allocating one if it has none; undefined when the range is full. */
  allocate(uid: string): string | undefined {
    const held = this.byPod.get(uid);
    if (held !== undefined) return formatIPv4(this.first + held);
    for (let i = 0; i < this.size; i++) {
      const offset = (this.next + i) % this.size;
      if (this.used[offset]) continue;
      this.used[offset] = 1;
      this.byPod.set(uid, offset);
      this.next = (offset + 1) % this.size;
      return formatIPv4(this.first + offset);
    }
    return undefined;
  }

  /** Records that pod `uid` already has `ip` (after a restart); false when it is not ours to give or taken. */
  reserve(uid: string, ip: string): boolean {
    const n = parseIPv4(ip);
    if (n === undefined) return false;
    const offset = n - this.first;
    if (offset < 0 || offset >= this.size) return false;
    const held = this.byPod.get(uid);
    if (held === offset) return true;
    if (this.used[offset]) return false;
    if (held !== undefined) this.used[held] = 0;
    this.used[offset] = 1;
    this.byPod.set(uid, offset);
    return true;
  }

  release(uid: string): void {
    const offset = this.byPod.get(uid);
    if (offset === undefined) return;
    this.used[offset] = 0;
    this.byPod.delete(uid);
  }

  /** The range as the CNI error message names it: `10.42.1.2-10.42.1.254`. */
  get rangeText(): string {
    return `${formatIPv4(this.first)}-${formatIPv4(this.first + this.size - 1)}`;
  }
}
