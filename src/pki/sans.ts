import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

export const DEFAULT_SERVICE_IP = '10.43.0.1';

/** Subject alternative names, normalized: DNS names lower-cased, IPs in canonical text form, both sorted. */
export interface SubjectAltNames {
  dnsNames: string[];
  ips: string[];
}

/** The names under which in-cluster clients reach the API server through the `kubernetes` service. */
const serviceDnsNames = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

/**
 * Canonical text form of an IP address, so that "::1", "0:0:0:0:0:0:0:1" and "0::1" compare equal.
 * Throws on anything that is not an IP literal. A zone suffix ("fe80::1%eth0") is dropped: certificates can't carry it.
 */
export function normalizeIp(ip: string): string {
  const bare = ip.trim().replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) throw new Error(`not an IP address: ${JSON.stringify(ip)}`);
  // WHATWG URL parsing prints addresses in their canonical (RFC 5952 for IPv6) form.
  const host = new URL(family === 6 ? `https://[${bare}]/` : `https://${bare}/`).hostname;
  return family === 6 ? host.slice(1, -1) : host;
}

export function normalizeDnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/**
 * Non-internal addresses of this host's interfaces. IPv6 link-local addresses (fe80::/10) are left out:
 * they are unusable in a URL without a zone, and the veth interfaces that come and go with containers
 * would otherwise change the set, and so re-issue the serving certificate, on almost every start.
 */
export function hostAddresses(): string[] {
  const out: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      const ip = normalizeIp(a.address);
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(ip)) continue;
      out.push(ip);
    }
  }
  return out;
}

export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Every name the API server serving certificate must cover. */
export function servingSubjectAltNames(opts: {
  hostnames?: string[];
  ips?: string[];
  serviceIP?: string;
}): SubjectAltNames {
  const dns = ['localhost', hostname(), ...serviceDnsNames];
  const ips = [
    '127.0.0.1',
    '::1',
    ...hostAddresses(),
    opts.serviceIP ?? DEFAULT_SERVICE_IP,
    ...(opts.ips ?? []),
  ];
  for (const name of opts.hostnames ?? []) {
    if (isIP(name.trim().replace(/%.*$/, '')) !== 0) ips.push(name);
    else dns.push(name);
  }
  return {
    dnsNames: sortedUnique(dns.map(normalizeDnsName).filter((n) => n !== '')),
    ips: sortedUnique(ips.map(normalizeIp)),
  };
}

/** The wanted names that `have` lacks (an empty result means `have` covers `want`). */
export function missingSubjectAltNames(have: SubjectAltNames, want: SubjectAltNames): SubjectAltNames {
  const dns = new Set(have.dnsNames.map(normalizeDnsName));
  const ips = new Set(have.ips.map(normalizeIp));
  return {
    dnsNames: want.dnsNames.filter((n) => !dns.has(normalizeDnsName(n))),
    ips: want.ips.filter((ip) => !ips.has(normalizeIp(ip))),
  };
}
