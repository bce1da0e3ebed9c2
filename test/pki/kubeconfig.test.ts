import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ensurePki, writeKubeconfig } from '../../src/pki/index.js';
import { tempDir } from '../support/tmp.js';
import { captureLog } from './capture-log.js';
import { kubectl, kubectlPath } from './kubectl.js';

const fromBase64 = (value: unknown) => Buffer.from(String(value), 'base64').toString('utf8');

test('writeKubeconfig writes a 0600 YAML kubeconfig with embedded credentials', async () => {
  const tmp = tempDir('k8ts-pki-kubeconfig-');
  try {
    const pki = await ensurePki(join(tmp.dir, 'pki'), { log: captureLog() });
    const path = join(tmp.dir, 'home', '.kube', 'config');
    const opts = {
      server: 'https://127.0.0.1:6443',
      caCertPem: pki.caCertPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
    };
    writeKubeconfig(path, opts);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.equal(doc['apiVersion'], 'v1');
    assert.equal(doc['kind'], 'Config');
    assert.equal(doc['current-context'], 'k8ts');
    assert.deepEqual(doc['contexts'], [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'admin' } }]);
    const [cluster] = doc['clusters'] as { name: string; cluster: Record<string, string> }[];
    assert.equal(cluster?.name, 'k8ts');
    assert.equal(cluster?.cluster['server'], 'https://127.0.0.1:6443');
    assert.equal(fromBase64(cluster?.cluster['certificate-authority-data']), pki.caCertPem);
    const [user] = doc['users'] as { name: string; user: Record<string, string> }[];
    assert.equal(user?.name, 'admin');
    assert.equal(fromBase64(user?.user['client-certificate-data']), pki.admin.certPem);
    assert.equal(fromBase64(user?.user['client-key-data']), pki.admin.keyPem);

    // Overwriting a looser existing file leaves it 0600, with the new names and namespace.
    writeFileSync(path, 'old', { mode: 0o644 });
    writeKubeconfig(path, { ...opts, clusterName: 'c', userName: 'u', contextName: 'x', namespace: 'dev' });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const again = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.equal(again['current-context'], 'x');
    assert.deepEqual(again['contexts'], [
      { name: 'x', context: { cluster: 'c', user: 'u', namespace: 'dev' } },
    ]);
  } finally {
    tmp.remove();
  }
});

const bin = kubectlPath();

test('kubectl reads the kubeconfig', { skip: !bin }, async () => {
  const tmp = tempDir('k8ts-pki-kubeconfig-');
  try {
    const pki = await ensurePki(join(tmp.dir, 'pki'), { log: captureLog() });
    const path = join(tmp.dir, 'kubeconfig');
    writeKubeconfig(path, {
      server: 'https://127.0.0.1:6443',
      caCertPem: pki.caCertPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
      namespace: 'kube-system',
    });
    const args = ['--kubeconfig', path, 'config', 'view', '--raw', '-o'];
    assert.equal(await kubectl(bin ?? 'kubectl', tmp.dir, [...args, 'jsonpath={.users[0].name}']), 'admin');
    assert.equal(
      await kubectl(bin ?? 'kubectl', tmp.dir, [...args, 'jsonpath={.contexts[0].context.namespace}']),
      'kube-system',
    );
    assert.equal(
      await kubectl(bin ?? 'kubectl', tmp.dir, ['--kubeconfig', path, 'config', 'current-context']),
      'k8ts\n',
    );
  } finally {
    tmp.remove();
  }
});
