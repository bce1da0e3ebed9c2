import { networkInterfaces } from 'node:os';

/**
 * The address other cluster members reach the API server at (the `kubernetes` Service's endpoint):
 * the --advertise-address flag, else the bind address, else (binding every address) the first
 * non-loopback IPv4 address of this host, falling back to loopback on a host without one.
 */
export function advertiseAddress(flag: string | undefined, bindAddress: string): string {
  if (flag) return flag;
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::') return bindAddress;
  for (const addrs of Object.values(networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}
