import type { Logger } from '../util/log.js';

/** A certificate and the private key that goes with it, both PEM (key as PKCS#8). */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

/** Everything the API server and its clients need to speak TLS to each other and to sign tokens. */
export interface ClusterPki {
  caCertPem: string;
  caKeyPem: string;
  serving: CertAndKey;
  /** Client certificate CN=admin, O=system:masters. */
  admin: CertAndKey;
  /** Service account token signing key pair (RSA 2048: PKCS#8 private key, SPKI public key). */
  serviceAccount: { publicKeyPem: string; privateKeyPem: string };
}

export interface CertSubject {
  commonName: string;
  organizations?: string[];
}

export interface EnsurePkiOptions {
  /** Extra DNS names for the serving certificate (IP literals given here are treated as IPs). */
  hostnames?: string[];
  /** Extra IP addresses for the serving certificate. */
  ips?: string[];
  /** The cluster IP of the `kubernetes` service: the first address of the service range. */
  serviceIP?: string;
  /** The current time; lets tests simulate time passing. */
  now?: Date;
  log?: Logger;
}

export interface ClientIdentity {
  user: string;
  groups: string[];
}
