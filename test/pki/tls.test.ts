import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import { ensurePki, parseClientIdentity, writeKubeconfig, type ClusterPki } from '../../src/pki/index.js';
import { tempDir } from '../support/tmp.js';
import { captureLog } from './capture-log.js';
import { kubectl, kubectlPath } from './kubectl.js';

interface Seen {
  subject: string;
  identity: { user: string; groups: string[] };
}

/** An HTTPS server on 127.0.0.1 that demands a client certificate from the cluster CA and echoes its identity. */
async function apiServer(pki: ClusterPki, seen: Seen[]): Promise<{ server: Server; url: string }> {
  const server = createServer(
    {
      cert: pki.serving.certPem,
      key: pki.serving.keyPem,
      ca: pki.caCertPem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const identity = parseClientIdentity(peer.raw);
      seen.push({ subject: `CN=${String(peer.subject.CN)} O=${String(peer.subject.O)}`, identity });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `https://127.0.0.1:${port}` };
}

function get(url: string, tls: { ca: string; cert?: string; key?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/healthz`, { ...tls, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

test('Node TLS: the serving cert and the admin client cert work together in a real handshake', async () => {
  const tmp = tempDir('k8ts-pki-tls-');
  const seen: Seen[] = [];
  const pki = await ensurePki(join(tmp.dir, 'pki'), { log: captureLog() });
  const { server, url } = await apiServer(pki, seen);
  try {
    assert.ok(new X509Certificate(pki.serving.certPem).checkPrivateKey(createPrivateKey(pki.serving.keyPem)));
    const body = await get(url, { ca: pki.caCertPem, cert: pki.admin.certPem, key: pki.admin.keyPem });
    assert.equal(body, 'ok');
    assert.deepEqual(seen, [
      { subject: 'CN=admin O=system:masters', identity: { user: 'admin', groups: ['system:masters'] } },
    ]);
    // Without a client certificate the server refuses the handshake.
    await assert.rejects(get(url, { ca: pki.caCertPem }));
  } finally {
    server.close();
    tmp.remove();
  }
  // Names clients reach the API server by.
  const serving = new X509Certificate(pki.serving.certPem).toLegacyObject();
  for (const host of ['localhost', 'kubernetes.default.svc.cluster.local', '10.43.0.1', '::1']) {
    assert.equal(checkServerIdentity(host, serving), undefined, host);
  }
  assert.ok(checkServerIdentity('elsewhere.example', serving) instanceof Error);
});

const bin = kubectlPath();

test('kubectl (Go TLS) accepts the CA, serving cert and admin client cert', { skip: !bin }, async () => {
  const tmp = tempDir('k8ts-pki-kubectl-');
  const seen: Seen[] = [];
  const pki = await ensurePki(join(tmp.dir, 'pki'), { log: captureLog() });
  const { server, url } = await apiServer(pki, seen);
  try {
    const config = join(tmp.dir, 'kubeconfig');
    writeKubeconfig(config, {
      server: url,
      caCertPem: pki.caCertPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
    });
    const out = await kubectl(bin ?? 'kubectl', tmp.dir, [
      '--kubeconfig',
      config,
      '--request-timeout=20s',
      'get',
      '--raw',
      '/healthz',
    ]);
    assert.equal(out.trim(), 'ok');
    // kubectl may make more than one request (e.g. discovery); every one must carry the admin identity.
    assert.ok(seen.length > 0);
    for (const s of seen) assert.deepEqual(s.identity, { user: 'admin', groups: ['system:masters'] });
  } finally {
    server.close();
    tmp.remove();
  }
});
