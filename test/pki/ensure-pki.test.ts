import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ensurePki, type ClusterPki } from '../../src/pki/index.js';
import { tempDir } from '../support/tmp.js';
import { captureLog } from './capture-log.js';

const DAY = 24 * 60 * 60 * 1000;
const later = (base: Date, days: number) => new Date(base.getTime() + days * DAY);
const expectedFiles = [
  'admin.crt',
  'admin.key',
  'ca.crt',
  'ca.key',
  'sa.key',
  'sa.pub',
  'server.crt',
  'server.key',
];

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function cert(pem: string): X509Certificate {
  return new X509Certificate(pem);
}

async function withPki(
  fn: (dir: string, pki: ClusterPki, start: Date) => Promise<void>,
  opts: { hostnames?: string[] } = {},
): Promise<void> {
  const tmp = tempDir('k8ts-pki-');
  try {
    const dir = join(tmp.dir, 'pki');
    const start = new Date();
    const pki = await ensurePki(dir, { ...opts, now: start, log: captureLog() });
    await fn(dir, pki, start);
  } finally {
    tmp.remove();
  }
}

test('first start creates every file with tight permissions; a second start reuses them byte for byte', async () => {
  await withPki(async (dir, first) => {
    assert.deepEqual(readdirSync(dir).sort(), expectedFiles);
    assert.equal(mode(dir), 0o700);
    for (const f of expectedFiles) assert.equal(mode(join(dir, f)), f.endsWith('.key') ? 0o600 : 0o644, f);
    for (const f of expectedFiles.filter((name) => name.endsWith('.key'))) {
      assert.match(readFileSync(join(dir, f), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/, f);
    }
    assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), first.caCertPem);
    assert.equal(readFileSync(join(dir, 'sa.pub'), 'utf8'), first.serviceAccount.publicKeyPem);

    const log = captureLog();
    const second = await ensurePki(dir, { log });
    assert.deepEqual(second, first);
    assert.deepEqual(
      log.entries.map((e) => e.msg),
      ['cluster PKI reused'],
    );
  });
});

test('the CA and leaf certificates have the expected shape', async () => {
  await withPki(async (_dir, pki, start) => {
    const ca = cert(pki.caCertPem);
    assert.equal(ca.subject, 'CN=k8ts-ca');
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey), 'CA is self-signed');
    const caDays = (Date.parse(ca.validTo) - start.getTime()) / DAY;
    assert.ok(caDays > 3649 && caDays <= 3650, `CA valid for ${caDays} days`);

    const serving = cert(pki.serving.certPem);
    assert.equal(serving.subject, 'CN=kube-apiserver');
    assert.equal(serving.ca, false);
    assert.ok(serving.checkIssued(ca));
    assert.ok(serving.verify(ca.publicKey));
    const leafDays = (Date.parse(serving.validTo) - start.getTime()) / DAY;
    assert.ok(leafDays > 364 && leafDays <= 365, `serving cert valid for ${leafDays} days`);
    assert.ok(serving.publicKey.equals(createPublicKey(pki.serving.keyPem)));
    assert.equal(serving.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');

    const sans = new Set(serving.subjectAltName?.split(', '));
    for (const name of [
      'localhost',
      hostname().toLowerCase(),
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ]) {
      assert.ok(sans.has(`DNS:${name}`), `missing DNS:${name} in ${serving.subjectAltName}`);
    }
    for (const ip of ['127.0.0.1', '0:0:0:0:0:0:0:1', '10.43.0.1']) {
      assert.ok(sans.has(`IP Address:${ip}`), `missing IP:${ip} in ${serving.subjectAltName}`);
    }
    // Serial numbers: 16 bytes, positive.
    assert.match(serving.serialNumber, /^[0-7][0-9A-F]{31}$/);

    const admin = cert(pki.admin.certPem);
    assert.equal(admin.subject, 'O=system:masters\nCN=admin');
    assert.ok(admin.verify(ca.publicKey));

    const sa = createPublicKey(pki.serviceAccount.publicKeyPem);
    assert.equal(sa.asymmetricKeyType, 'rsa');
    assert.equal(sa.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(sa.equals(createPublicKey(pki.serviceAccount.privateKeyPem)));
  });
});

test('leaf certificates are renewed when fewer than 90 days remain; the CA stays', async () => {
  await withPki(async (dir, first, start) => {
    const quiet = await ensurePki(dir, { now: later(start, 100), log: captureLog() });
    assert.deepEqual(quiet, first, 'nothing changes 100 days in');

    const log = captureLog();
    const renewed = await ensurePki(dir, { now: later(start, 300), log });
    assert.equal(renewed.caCertPem, first.caCertPem);
    assert.equal(renewed.caKeyPem, first.caKeyPem);
    assert.deepEqual(renewed.serviceAccount, first.serviceAccount);
    for (const which of ['serving', 'admin'] as const) {
      const before = cert(first[which].certPem);
      const after = cert(renewed[which].certPem);
      assert.notEqual(after.serialNumber, before.serialNumber, which);
      assert.ok(Date.parse(after.validTo) > Date.parse(before.validTo), which);
      assert.notEqual(renewed[which].keyPem, first[which].keyPem, which);
      assert.ok(after.verify(cert(first.caCertPem).publicKey), which);
    }
    const reasons = log.entries.filter((e) => e.msg.startsWith('issued')).map((e) => e.fields['reason']);
    assert.deepEqual(reasons, ['expires in 65 days', 'expires in 65 days']);
    assert.equal(readFileSync(join(dir, 'server.crt'), 'utf8'), renewed.serving.certPem);

    const again = await ensurePki(dir, { now: later(start, 301), log: captureLog() });
    assert.deepEqual(again, renewed, 'renewed certificates are reused in turn');
  });
});

test('a CA within a year of expiry is kept, with a warning; leaf certificates never outlive it', async () => {
  await withPki(async (dir, first, start) => {
    const log = captureLog();
    const pki = await ensurePki(dir, { now: later(start, 3400), log });
    assert.equal(pki.caCertPem, first.caCertPem);
    assert.ok(log.entries.some((e) => e.level === 'warn' && /CA expires soon/.test(e.msg)));
    const caEnd = Date.parse(cert(pki.caCertPem).validTo);
    assert.equal(Date.parse(cert(pki.serving.certPem).validTo), caEnd);

    // Capped by the CA, a renewal could not extend the certificate, so it is not redone on every start.
    const near = await ensurePki(dir, { now: later(start, 3600), log: captureLog() });
    assert.deepEqual(near, pki);

    // Once expired the CA is useless to every client, so it is moved aside and replaced.
    const expired = await ensurePki(dir, { now: later(start, 3651), log: captureLog() });
    assert.notEqual(expired.caCertPem, first.caCertPem);
    assert.ok(cert(expired.serving.certPem).verify(cert(expired.caCertPem).publicKey));
    assert.equal(readdirSync(dir).filter((f) => f.includes('.invalid-')).length, 2);
  });
});

test('a hostname or IP the serving certificate lacks gets it re-issued, covering the new name', async () => {
  await withPki(async (dir, first) => {
    const log = captureLog();
    const pki = await ensurePki(dir, { hostnames: ['api.example.test', '192.0.2.77'], log });
    assert.equal(pki.caCertPem, first.caCertPem);
    assert.deepEqual(pki.admin, first.admin);
    const serving = cert(pki.serving.certPem);
    assert.notEqual(serving.serialNumber, cert(first.serving.certPem).serialNumber);
    assert.match(serving.subjectAltName ?? '', /DNS:api\.example\.test/);
    assert.match(serving.subjectAltName ?? '', /IP Address:192\.0\.2\.77/);
    const issued = log.entries.find((e) => e.msg === 'issued serving certificate');
    assert.equal(issued?.fields['reason'], 'does not cover api.example.test, 192.0.2.77');

    // Names already covered (in any spelling) cause no re-issue; asking for fewer names neither.
    const same = await ensurePki(dir, {
      hostnames: ['API.example.test.'],
      ips: ['0:0:0:0:0:0:0:1'],
      log: captureLog(),
    });
    assert.deepEqual(same, pki);
    const ip6 = await ensurePki(dir, { ips: ['2001:db8:0:0::5'], serviceIP: '10.96.0.1', log: captureLog() });
    const sans = cert(ip6.serving.certPem).subjectAltName ?? '';
    assert.match(sans, /IP Address:2001:DB8:0:0:0:0:0:5/);
    assert.match(sans, /IP Address:10\.96\.0\.1/);
  });
});

test('broken or mismatched files are replaced; an unusable CA is moved aside, not deleted', async () => {
  await withPki(async (dir, first) => {
    writeFileSync(join(dir, 'server.crt'), 'garbage');
    writeFileSync(join(dir, 'admin.key'), first.serving.keyPem);
    writeFileSync(join(dir, 'sa.pub'), 'stale');
    chmodSync(join(dir, 'ca.key'), 0o644);
    const log = captureLog();
    const fixed = await ensurePki(dir, { log });
    assert.equal(fixed.caCertPem, first.caCertPem);
    assert.equal(mode(join(dir, 'ca.key')), 0o600);
    assert.deepEqual(fixed.serviceAccount, first.serviceAccount, 'sa.pub is rebuilt from sa.key');
    assert.notEqual(fixed.serving.certPem, first.serving.certPem);
    assert.notEqual(fixed.admin.certPem, first.admin.certPem);
    const reasons = Object.fromEntries(
      log.entries.filter((e) => e.msg.startsWith('issued')).map((e) => [e.msg, e.fields['reason']]),
    );
    assert.match(String(reasons['issued serving certificate']), /^unreadable/);
    assert.equal(reasons['issued admin certificate'], 'key does not match certificate');

    writeFileSync(join(dir, 'ca.key'), first.admin.keyPem);
    const rotated = await ensurePki(dir, { log: captureLog() });
    assert.notEqual(rotated.caCertPem, first.caCertPem);
    assert.ok(cert(rotated.serving.certPem).verify(cert(rotated.caCertPem).publicKey));
    assert.ok(cert(rotated.admin.certPem).verify(cert(rotated.caCertPem).publicKey));
    const aside = readdirSync(dir).filter((f) => f.includes('.invalid-'));
    assert.deepEqual(aside.map((f) => f.split('.invalid-')[0]).sort(), ['ca.crt', 'ca.key']);
  });
});
