/** The namespace and service-account controllers inside a real `k8ts server`, driven by real kubectl. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { findKubectls, kubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;

describe('namespace and service-account controllers', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, server.kubeconfig, cache.dir, args);
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('gives every namespace a default ServiceAccount, and brings it back when deleted', async () => {
    await ok('create', 'namespace', 'team-a');
    await until(
      'default SA in team-a',
      async () => (await run('-n', 'team-a', 'get', 'sa', 'default')).code === 0,
    );
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      await until(
        `default SA in ${ns}`,
        async () => (await run('-n', ns, 'get', 'sa', 'default')).code === 0,
      );
    const uid = await ok('-n', 'team-a', 'get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}');
    await ok('-n', 'team-a', 'delete', 'sa', 'default');
    await until('default SA recreated', async () => {
      const r = await run('-n', 'team-a', 'get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}');
      return r.code === 0 && r.stdout !== uid;
    });
  });

  it('empties a deleted namespace and then removes it', async () => {
    await ok('create', 'namespace', 'doomed');
    await ok('-n', 'doomed', 'create', 'configmap', 'c1', '--from-literal=a=b');
    await ok('-n', 'doomed', 'create', 'secret', 'generic', 's1', '--from-literal=a=b');
    await ok('-n', 'doomed', 'create', 'deployment', 'web', '--image=nginx');
    await ok('-n', 'doomed', 'create', 'role', 'r', '--verb=get', '--resource=pods');
    // kubectl waits until the namespace is gone.
    const out = await ok('delete', 'namespace', 'doomed', '--timeout=60s');
    assert.match(out, /namespace "doomed" deleted/);
    const gone = await run('get', 'namespace', 'doomed');
    assert.match(gone.stderr, /namespaces "doomed" not found/);
    const left = await run('-n', 'doomed', 'get', 'configmaps,secrets,deployments,roles', '-o', 'name');
    assert.equal(left.stdout.trim(), '');
  });

  it('keeps a namespace Terminating while content with a finalizer remains, and says why', async () => {
    await ok('create', 'namespace', 'held');
    await ok('-n', 'held', 'create', 'configmap', 'pinned', '--from-literal=a=b');
    await ok(
      '-n',
      'held',
      'patch',
      'configmap',
      'pinned',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":["example.com/hold"]}}',
    );
    await ok('delete', 'namespace', 'held', '--wait=false');
    await until('content-remaining condition', async () => {
      const r = await run(
        'get',
        'ns',
        'held',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="NamespaceContentRemaining")].message}',
      );
      return r.stdout.includes('Some resources are remaining: configmaps has 1 resource instances');
    });
    const finalizers = await ok(
      'get',
      'ns',
      'held',
      '-o',
      'jsonpath={.status.phase} {.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].message}',
    );
    assert.equal(
      finalizers,
      'Terminating Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    );
    await ok(
      '-n',
      'held',
      'patch',
      'configmap',
      'pinned',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    );
    await until('namespace removed', async () => (await run('get', 'ns', 'held')).code !== 0);
  });
});
