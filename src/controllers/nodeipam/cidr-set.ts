/**
 * The cluster CIDR cut into equal node subnets (10.42.0.0/16 into /24s), each free or taken, as the
 * node IPAM range allocator keeps it: allocation goes round-robin from the last subnet handed out, and
 * subnets nodes already have are marked taken when the controller starts.
 */
import { cidrContains, formatIPv4, parseIPv4Cidr } from '../../util/ipv4.js';
import type { Ipv4Cidr } from '../../util/ipv4.js';

/** Kubernetes refuses cluster/node mask pairs that make more than 2^16 subnets. */
const MAX_PREFIX_DIFFERENCE = 16;

export class CidrSet {
  readonly cluster: Ipv4Cidr;
  /** How many node subnets the cluster CIDR holds. */
  readonly subnets: number;
  private readonly used: Uint8Array;
  private taken = 0;
  private next = 0;

  constructor(
    clusterCIDR: string,
    readonly maskSize: number,
  ) {
    const cluster = parseIPv4Cidr(clusterCIDR);
    if (!cluster)
      throw new Error(`invalid cluster CIDR ${JSON.stringify(clusterCIDR)}: must be an IPv4 CIDR`);
    if (!Number.isInteger(maskSize) || maskSize < cluster.bits || maskSize > 32)
      throw new Error(
        `node CIDR mask size ${maskSize} does not fit cluster CIDR ${cluster.text}: it must be between ${cluster.bits} and 32`,
      );
    if (maskSize - cluster.bits > MAX_PREFIX_DIFFERENCE)
      throw new Error(
        `New CIDR set failed; the node CIDR size is too big: /${maskSize} in ${cluster.text} makes more than ${2 ** MAX_PREFIX_DIFFERENCE} subnets`,
      );
    this.cluster = cluster;
    this.subnets = 2 ** (maskSize - cluster.bits);
    this.used = new Uint8Array(this.subnets);
  }

  get allocated(): number {
    return this.taken;
  }

  private subnetText(i: number): string {
    return `${formatIPv4(this.cluster.network + i * 2 ** (32 - this.maskSize))}/${this.maskSize}`;
  }

  /** The next free subnet, now taken; undefined when every subnet is taken. */
  allocateNext(): string | undefined {
    for (let k = 0; k < this.subnets; k++) {
      const i = (this.next + k) % this.subnets;
      if (this.used[i]) continue;
      this.used[i] = 1;
      this.taken++;
      this.next = (i + 1) % this.subnets;
      return this.subnetText(i);
    }
    return undefined;
  }

  /** The subnet indexes `cidr` covers (all of them for a larger block, the one it lies in for a smaller one). */
  private indexes(cidr: string): [number, number] | undefined {
    const block = parseIPv4Cidr(cidr);
    if (!block) return undefined;
    if (!cidrContains(this.cluster, block) && !cidrContains(block, this.cluster)) return undefined;
    const step = 2 ** (32 - this.maskSize);
    const from = Math.max(block.network, this.cluster.network);
    const to = Math.min(block.network + block.size, this.cluster.network + this.cluster.size);
    const first = Math.floor((from - this.cluster.network) / step);
    const last = Math.max(first, Math.ceil((to - this.cluster.network) / step) - 1);
    return [first, last];
  }

  /** Marks `cidr` (a node's existing podCIDR) taken; false when it is not inside the cluster CIDR. */
  occupy(cidr: string): boolean {
    const range = this.indexes(cidr);
    if (!range) return false;
    for (let i = range[0]; i <= range[1]; i++) {
      if (!this.used[i]) this.taken++;
      this.used[i] = 1;
    }
    return true;
  }

  release(cidr: string): void {
    const range = this.indexes(cidr);
    if (!range) return;
    for (let i = range[0]; i <= range[1]; i++) {
      if (this.used[i]) this.taken--;
      this.used[i] = 0;
    }
  }

  isTaken(cidr: string): boolean {
    const range = this.indexes(cidr);
    return range !== undefined && this.used[range[0]] === 1;
  }
}
