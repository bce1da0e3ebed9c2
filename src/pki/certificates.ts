// @peculiar/x509 uses decorators that need the reflect-metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { X509Certificate as NodeX509Certificate, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { importSigningKey, parsePrivateKey, spkiDerOf } from './keys.js';
import { normalizeDnsName, normalizeIp, type SubjectAltNames } from './sans.js';
import type { CertSubject, ClientIdentity } from './types.js';

// Passed explicitly so the library never depends on (or changes) a global crypto provider.
const provider = webcrypto;

const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';

/** 16 random bytes, high bit cleared (a positive INTEGER) and first byte non-zero (minimal DER, which Go insists on). */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  const first = (bytes[0] ?? 0) & 0x7f;
  bytes[0] = first === 0 ? 0x01 : first;
  return bytes.toString('hex');
}

/** Organizations first, then the common name: the order Go (and so Kubernetes) writes subjects in. */
function subjectName(subject: CertSubject): x509.JsonName {
  return [...(subject.organizations ?? []).map((o) => ({ O: [o] })), { CN: [subject.commonName] }];
}

export interface CaParams {
  commonName: string;
  keyPem: string;
  notBefore: Date;
  notAfter: Date;
}

export async function createCaCertificate(params: CaParams): Promise<string> {
  const signing = await importSigningKey(params.keyPem);
  const publicKey = spkiDerOf(parsePrivateKey(params.keyPem));
  const name = new x509.Name(subjectName({ commonName: params.commonName }));
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: name,
      issuer: name,
      notBefore: params.notBefore,
      notAfter: params.notAfter,
      publicKey,
      signingKey: signing.key,
      signingAlgorithm: signing.algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(publicKey, false, provider),
      ],
    },
    provider,
  );
  return cert.toString('pem') + '\n';
}

export interface LeafParams {
  subject: CertSubject;
  usage: 'server' | 'client';
  /** SPKI PEM of the key pair the certificate is for. */
  publicKeyPem: string;
  subjectAltNames?: SubjectAltNames;
  notBefore: Date;
  notAfter: Date;
}

/** Issues a TLS server or client certificate signed by the CA. */
export async function issueLeafCertificate(
  ca: { certPem: string; keyPem: string },
  params: LeafParams,
): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const signing = await importSigningKey(ca.keyPem);
  const publicKey = spkiDerOf(createPublicKey(params.publicKeyPem));
  const caKeyId =
    caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
    (await x509.SubjectKeyIdentifierExtension.create(caCert.publicKey, false, provider)).keyId;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(
      [params.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, provider),
    new x509.AuthorityKeyIdentifierExtension(caKeyId, false),
  ];
  const sans = params.subjectAltNames;
  if (sans && sans.dnsNames.length + sans.ips.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        [
          ...sans.dnsNames.map((value) => ({ type: 'dns' as const, value })),
          ...sans.ips.map((value) => ({ type: 'ip' as const, value })),
        ],
        false,
      ),
    );
  }
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerialNumber(),
      subject: subjectName(params.subject),
      // The issuer must be byte-identical to the CA's subject, so take it from the CA certificate as is.
      issuer: new x509.Name(caCert.subjectName.toArrayBuffer()),
      notBefore: params.notBefore,
      notAfter: params.notAfter,
      publicKey,
      signingKey: signing.key,
      signingAlgorithm: signing.algorithm,
      extensions,
    },
    provider,
  );
  return cert.toString('pem') + '\n';
}

export interface CertificateInfo {
  /** Upper-case hex, as Node prints it. */
  serialNumber: string;
  subject: Required<CertSubject>;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  subjectAltNames: SubjectAltNames;
}

export function inspectCertificate(certPem: string): CertificateInfo {
  const cert = new x509.X509Certificate(certPem);
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const ext of cert.getExtensions(x509.SubjectAlternativeNameExtension)) {
    for (const item of ext.names.items) {
      if (item.type === 'dns') dnsNames.push(normalizeDnsName(item.value));
      else if (item.type === 'ip') ips.push(normalizeIp(item.value));
    }
  }
  return {
    serialNumber: cert.serialNumber.toUpperCase(),
    subject: subjectOf(cert.subjectName),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    subjectAltNames: { dnsNames: dnsNames.sort(), ips: ips.sort() },
  };
}

/** Go's reading of a subject: the last CN wins, every O attribute is an organization, in order. */
function subjectOf(name: x509.Name): Required<CertSubject> {
  return {
    commonName: name.getField(OID_COMMON_NAME).at(-1) ?? '',
    organizations: name.getField(OID_ORGANIZATION),
  };
}

/** True when `certPem` names the CA as its issuer and carries a valid signature from the CA's key. */
export function isIssuedBy(certPem: string, caCertPem: string): boolean {
  const cert = new NodeX509Certificate(certPem);
  const ca = new NodeX509Certificate(caCertPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** True when the certificate is for the public half of `privateKeyPem`. */
export function certificateMatchesKey(certPem: string, privateKeyPem: string): boolean {
  return new NodeX509Certificate(certPem).publicKey.equals(createPublicKey(parsePrivateKey(privateKeyPem)));
}

/**
 * The Kubernetes user a client certificate stands for: CN is the user name, each O a group.
 * Accepts PEM text, DER bytes (e.g. `getPeerCertificate().raw`) or a Node X509Certificate.
 * Only reads the subject: verifying the certificate is the TLS layer's job. Throws when CN is empty,
 * since Kubernetes refuses such certificates rather than authenticating an empty user name.
 */
export function parseClientIdentity(cert: string | Uint8Array | NodeX509Certificate): ClientIdentity {
  const raw = cert instanceof NodeX509Certificate ? cert.raw : cert;
  const parsed = new x509.X509Certificate(typeof raw === 'string' ? raw : new Uint8Array(raw));
  const subject = subjectOf(parsed.subjectName);
  if (subject.commonName === '') throw new Error('client certificate has an empty common name');
  return { user: subject.commonName, groups: subject.organizations };
}
