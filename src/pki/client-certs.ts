import { inspectCertificate, issueLeafCertificate } from './certificates.js';
import { generateEcP256KeyPair } from './keys.js';
import type { CertAndKey, CertSubject, ClusterPki } from './types.js';
import { LEAF_VALIDITY_DAYS, leafValidity } from './validity.js';

/**
 * A new key pair and a client certificate for it, signed by the cluster CA: CN is the user name and
 * each organization a group. Validity is clipped to the CA's own expiry.
 */
export async function issueClientCert(
  pki: ClusterPki,
  subject: CertSubject,
  validDays: number = LEAF_VALIDITY_DAYS,
): Promise<CertAndKey> {
  if (subject.commonName === '') throw new Error('a client certificate needs a non-empty common name');
  if (!(validDays > 0)) throw new Error(`validDays must be positive, got ${validDays}`);
  const ca = inspectCertificate(pki.caCertPem);
  const keys = await generateEcP256KeyPair();
  const certPem = await issueLeafCertificate(
    { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
    {
      subject,
      usage: 'client',
      publicKeyPem: keys.publicKeyPem,
      ...leafValidity(new Date(), validDays, ca.notAfter),
    },
  );
  return { certPem, keyPem: keys.privateKeyPem };
}
