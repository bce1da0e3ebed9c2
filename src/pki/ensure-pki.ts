import { createPublicKey } from 'node:crypto';
import { mkdir, rename } from 'node:fs/promises';
import { logger, type Logger } from '../util/log.js';
import {
  certificateMatchesKey,
  createCaCertificate,
  inspectCertificate,
  isIssuedBy,
  issueLeafCertificate,
  type CertificateInfo,
} from './certificates.js';
import {
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  pkiPaths,
  readIfExists,
  restrictToOwner,
  writeFileAtomic,
} from './files.js';
import { generateEcP256KeyPair, generateRsa2048KeyPair, parsePrivateKey, publicKeyPemOf } from './keys.js';
import { missingSubjectAltNames, servingSubjectAltNames, type SubjectAltNames } from './sans.js';
import type { CertAndKey, CertSubject, ClusterPki, EnsurePkiOptions } from './types.js';
import {
  BACKDATE_MS,
  CA_VALIDITY_DAYS,
  CA_WARN_DAYS,
  DAY_MS,
  LEAF_RENEW_DAYS,
  LEAF_VALIDITY_DAYS,
  addDays,
  daysBetween,
  leafValidity,
} from './validity.js';

export const CA_COMMON_NAME = 'k8ts-ca';
export const SERVING_SUBJECT: CertSubject = { commonName: 'kube-apiserver' };
export const ADMIN_SUBJECT: CertSubject = { commonName: 'admin', organizations: ['system:masters'] };

interface Ca extends CertAndKey {
  info: CertificateInfo;
}

interface Context {
  now: Date;
  log: Logger;
  /** Names of the files written during this call, for the summary log line. */
  written: string[];
}

/**
 * Makes sure `dir` holds a usable cluster PKI and returns it. The first call creates a CA, the API server
 * serving certificate, the admin client certificate and the service account key pair; later calls reuse
 * them, re-issuing a leaf certificate only when it is missing, broken, close to expiry, or (for the
 * serving certificate) does not cover every wanted name. The CA is never rotated while it is valid.
 */
export async function ensurePki(dir: string, opts: EnsurePkiOptions = {}): Promise<ClusterPki> {
  const ctx: Context = { now: opts.now ?? new Date(), log: opts.log ?? logger('pki'), written: [] };
  const paths = pkiPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const ca = await ensureCa(paths.caCert, paths.caKey, ctx);
  const wantedSans = servingSubjectAltNames(opts);
  const [serving, admin, serviceAccount] = await Promise.all([
    ensureLeaf(
      { what: 'serving', certPath: paths.servingCert, keyPath: paths.servingKey, usage: 'server' },
      SERVING_SUBJECT,
      wantedSans,
      ca,
      ctx,
    ),
    ensureLeaf(
      { what: 'admin', certPath: paths.adminCert, keyPath: paths.adminKey, usage: 'client' },
      ADMIN_SUBJECT,
      undefined,
      ca,
      ctx,
    ),
    ensureServiceAccountKeys(paths.serviceAccountPublicKey, paths.serviceAccountPrivateKey, ctx),
  ]);

  ctx.log.info(ctx.written.length > 0 ? 'cluster PKI updated' : 'cluster PKI reused', {
    dir,
    written: ctx.written,
    caNotAfter: ca.info.notAfter.toISOString(),
  });
  return { caCertPem: ca.certPem, caKeyPem: ca.keyPem, serving, admin, serviceAccount };
}

async function write(path: string, data: string, mode: number, ctx: Context): Promise<void> {
  await writeFileAtomic(path, data, mode);
  ctx.written.push(path);
}

/** Moves an unusable file out of the way rather than deleting it: it may be someone's only copy of a key. */
async function setAside(path: string, ctx: Context): Promise<void> {
  const target = `${path}.invalid-${ctx.now.toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(path, target);
    ctx.log.warn('moved unusable PKI file aside', { path, target });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

async function tightenKeyFile(path: string, ctx: Context): Promise<void> {
  if (await restrictToOwner(path))
    ctx.log.warn('private key file was readable by others; made it 0600', { path });
}

function caProblem(certPem: string | undefined, keyPem: string | undefined, now: Date): string | undefined {
  if (certPem === undefined) return 'CA certificate missing';
  if (keyPem === undefined) return 'CA key missing';
  try {
    const info = inspectCertificate(certPem);
    if (!info.isCa) return 'CA certificate is not a CA (basicConstraints CA:false)';
    if (!certificateMatchesKey(certPem, keyPem)) return 'CA key does not match the CA certificate';
    if (now.getTime() >= info.notAfter.getTime()) return `CA expired on ${info.notAfter.toISOString()}`;
  } catch (err) {
    return `CA unreadable: ${(err as Error).message}`;
  }
  return undefined;
}

async function ensureCa(certPath: string, keyPath: string, ctx: Context): Promise<Ca> {
  const certPem = await readIfExists(certPath);
  const keyPem = await readIfExists(keyPath);
  if (certPem !== undefined || keyPem !== undefined) {
    const problem = caProblem(certPem, keyPem, ctx.now);
    if (problem === undefined && certPem !== undefined && keyPem !== undefined) {
      const ca = { certPem, keyPem, info: inspectCertificate(certPem) };
      await tightenKeyFile(keyPath, ctx);
      warnAboutCaLifetime(ca.info, ctx);
      return ca;
    }
    ctx.log.warn(
      'existing cluster CA is unusable; creating a new one (clients holding the old CA will fail)',
      {
        problem,
      },
    );
    await setAside(certPath, ctx);
    await setAside(keyPath, ctx);
  }
  const keys = await generateEcP256KeyPair();
  const newCertPem = await createCaCertificate({
    commonName: CA_COMMON_NAME,
    keyPem: keys.privateKeyPem,
    notBefore: new Date(ctx.now.getTime() - BACKDATE_MS),
    notAfter: addDays(ctx.now, CA_VALIDITY_DAYS),
  });
  // Key first: a crash in between leaves a key without a certificate, which the next start replaces.
  await write(keyPath, keys.privateKeyPem, PRIVATE_FILE_MODE, ctx);
  await write(certPath, newCertPem, PUBLIC_FILE_MODE, ctx);
  const info = inspectCertificate(newCertPem);
  ctx.log.info('created cluster CA', { serial: info.serialNumber, notAfter: info.notAfter.toISOString() });
  return { certPem: newCertPem, keyPem: keys.privateKeyPem, info };
}

function warnAboutCaLifetime(info: CertificateInfo, ctx: Context): void {
  const daysLeft = daysBetween(ctx.now, info.notAfter);
  if (daysLeft < CA_WARN_DAYS) {
    ctx.log.warn('cluster CA expires soon and is not rotated automatically', {
      notAfter: info.notAfter.toISOString(),
      daysLeft: Math.floor(daysLeft),
    });
  }
  if (ctx.now.getTime() < info.notBefore.getTime()) {
    ctx.log.warn('cluster CA is not valid yet: is the clock right?', {
      notBefore: info.notBefore.toISOString(),
    });
  }
}

interface LeafSpec {
  what: string;
  certPath: string;
  keyPath: string;
  usage: 'server' | 'client';
}

function sameSubject(a: Required<CertSubject>, b: CertSubject): boolean {
  const orgs = b.organizations ?? [];
  return (
    a.commonName === b.commonName &&
    a.organizations.length === orgs.length &&
    a.organizations.every((o, i) => o === orgs[i])
  );
}

/** Why an existing leaf certificate has to be re-issued, or undefined when it can stay. */
function leafProblem(
  cert: CertAndKey | undefined,
  subject: CertSubject,
  wantedSans: SubjectAltNames | undefined,
  ca: Ca,
  now: Date,
): string | undefined {
  if (cert === undefined) return 'missing';
  let info: CertificateInfo;
  try {
    info = inspectCertificate(cert.certPem);
    if (!certificateMatchesKey(cert.certPem, cert.keyPem)) return 'key does not match certificate';
    if (!isIssuedBy(cert.certPem, ca.certPem)) return 'not issued by the current CA';
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  }
  if (!sameSubject(info.subject, subject)) return 'subject differs';
  if (now.getTime() < info.notBefore.getTime()) return `not valid before ${info.notBefore.toISOString()}`;
  const daysLeft = daysBetween(now, info.notAfter);
  // When the CA itself ends sooner than that, a new certificate would end no later, so keep the old one.
  const renewedNotAfter = leafValidity(now, LEAF_VALIDITY_DAYS, ca.info.notAfter).notAfter;
  if (daysLeft < LEAF_RENEW_DAYS && renewedNotAfter.getTime() - info.notAfter.getTime() > DAY_MS) {
    return daysLeft <= 0 ? 'expired' : `expires in ${Math.round(daysLeft)} days`;
  }
  if (wantedSans) {
    const missing = missingSubjectAltNames(info.subjectAltNames, wantedSans);
    const names = [...missing.dnsNames, ...missing.ips];
    if (names.length > 0) return `does not cover ${names.join(', ')}`;
  }
  return undefined;
}

async function ensureLeaf(
  spec: LeafSpec,
  subject: CertSubject,
  wantedSans: SubjectAltNames | undefined,
  ca: Ca,
  ctx: Context,
): Promise<CertAndKey> {
  const certPem = await readIfExists(spec.certPath);
  const keyPem = await readIfExists(spec.keyPath);
  const existing = certPem !== undefined && keyPem !== undefined ? { certPem, keyPem } : undefined;
  const problem = leafProblem(existing, subject, wantedSans, ca, ctx.now);
  if (existing && problem === undefined) {
    await tightenKeyFile(spec.keyPath, ctx);
    return existing;
  }
  const keys = await generateEcP256KeyPair();
  const newCertPem = await issueLeafCertificate(ca, {
    subject,
    usage: spec.usage,
    publicKeyPem: keys.publicKeyPem,
    ...(wantedSans ? { subjectAltNames: wantedSans } : {}),
    ...leafValidity(ctx.now, LEAF_VALIDITY_DAYS, ca.info.notAfter),
  });
  await write(spec.keyPath, keys.privateKeyPem, PRIVATE_FILE_MODE, ctx);
  await write(spec.certPath, newCertPem, PUBLIC_FILE_MODE, ctx);
  const info = inspectCertificate(newCertPem);
  ctx.log.info(`issued ${spec.what} certificate`, {
    reason: problem,
    serial: info.serialNumber,
    notAfter: info.notAfter.toISOString(),
  });
  return { certPem: newCertPem, keyPem: keys.privateKeyPem };
}

function serviceAccountKeyProblem(privateKeyPem: string): string | undefined {
  try {
    const key = parsePrivateKey(privateKeyPem);
    if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048)
      return undefined;
    if (key.asymmetricKeyType === 'ec') return undefined;
    return `unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`;
  } catch (err) {
    return `unreadable: ${(err as Error).message}`;
  }
}

/**
 * The service account signing key is not a certificate and never expires; it is only replaced when it is
 * missing or unreadable (which invalidates every token signed with it). A missing or stale sa.pub is
 * rebuilt from sa.key.
 */
async function ensureServiceAccountKeys(
  publicPath: string,
  privatePath: string,
  ctx: Context,
): Promise<ClusterPki['serviceAccount']> {
  const privateKeyPem = await readIfExists(privatePath);
  if (privateKeyPem !== undefined) {
    const problem = serviceAccountKeyProblem(privateKeyPem);
    if (problem === undefined) {
      await tightenKeyFile(privatePath, ctx);
      const derived = publicKeyPemOf(parsePrivateKey(privateKeyPem));
      const publicKeyPem = await readIfExists(publicPath);
      if (publicKeyPem !== undefined && publicKeyMatches(publicKeyPem, derived)) {
        return { publicKeyPem, privateKeyPem };
      }
      ctx.log.info('rebuilt service account public key from the private key', { path: publicPath });
      await write(publicPath, derived, PUBLIC_FILE_MODE, ctx);
      return { publicKeyPem: derived, privateKeyPem };
    }
    ctx.log.warn(
      'service account signing key is unusable; generating a new one (existing tokens stop working)',
      {
        problem,
      },
    );
    await setAside(privatePath, ctx);
  }
  const keys = await generateRsa2048KeyPair();
  await write(privatePath, keys.privateKeyPem, PRIVATE_FILE_MODE, ctx);
  await write(publicPath, keys.publicKeyPem, PUBLIC_FILE_MODE, ctx);
  ctx.log.info('generated service account signing key', { algorithm: 'RSA 2048' });
  return { publicKeyPem: keys.publicKeyPem, privateKeyPem: keys.privateKeyPem };
}

function publicKeyMatches(publicKeyPem: string, expectedPem: string): boolean {
  try {
    return createPublicKey(publicKeyPem).equals(createPublicKey(expectedPem));
  } catch {
    return false;
  }
}
