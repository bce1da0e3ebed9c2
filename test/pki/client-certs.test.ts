import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensurePki, issueClientCert, parseClientIdentity } from '../../src/pki/index.js';
import { issueLeafCertificate } from '../../src/pki/certificates.js';
import { generateEcP256KeyPair } from '../../src/pki/keys.js';
import { tempDir } from '../support/tmp.js';
import { captureLog } from './capture-log.js';

test('issueClientCert: CN is the user, each organization a group, signed by the CA', async () => {
  const tmp = tempDir('k8ts-pki-client-');
  try {
    const pki = await ensurePki(join(tmp.dir, 'pki'), { log: captureLog() });
    const issued = await issueClientCert(pki, { commonName: 'jane', organizations: ['a', 'b'] }, 30);
    const cert = new X509Certificate(issued.certPem);
    assert.equal(cert.subject, 'O=a\nO=b\nCN=jane');
    assert.ok(cert.verify(new X509Certificate(pki.caCertPem).publicKey));
    assert.ok(cert.publicKey.equals(createPublicKey(issued.keyPem)));
    assert.match(issued.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `valid for ${days} days`);
    assert.equal(cert.subjectAltName, undefined);

    const expected = { user: 'jane', groups: ['a', 'b'] };
    assert.deepEqual(parseClientIdentity(issued.certPem), expected);
    assert.deepEqual(parseClientIdentity(cert.raw), expected);
    assert.deepEqual(parseClientIdentity(cert), expected);

    const noGroups = await issueClientCert(pki, { commonName: 'system:kube-scheduler' });
    assert.deepEqual(parseClientIdentity(noGroups.certPem), { user: 'system:kube-scheduler', groups: [] });
    const nodeCert = await issueClientCert(pki, {
      commonName: 'system:node:n1',
      organizations: ['system:nodes'],
    });
    assert.deepEqual(parseClientIdentity(nodeCert.certPem), {
      user: 'system:node:n1',
      groups: ['system:nodes'],
    });

    await assert.rejects(issueClientCert(pki, { commonName: '' }));
    await assert.rejects(issueClientCert(pki, { commonName: 'x' }, 0));
    // Kubernetes refuses a client certificate with an empty CN instead of authenticating user "".
    const keys = await generateEcP256KeyPair();
    const anonymous = await issueLeafCertificate(
      { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
      {
        subject: { commonName: '', organizations: ['system:masters'] },
        usage: 'client',
        publicKeyPem: keys.publicKeyPem,
        notBefore: new Date(),
        notAfter: new Date(Date.now() + 86_400_000),
      },
    );
    assert.throws(() => parseClientIdentity(anonymous), /empty common name/);
  } finally {
    tmp.remove();
  }
});
