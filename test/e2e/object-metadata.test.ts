/** Metadata rules around writes: what /status may change, generated name length, empty collections left out. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const k = findKubectls([33])[0]!;

describe('object metadata on writes', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = async (args: string[], input?: string) =>
    ok(await kubectl(k, server.kubeconfig, cache.dir, args, input), args.join(' '));
  const json = async (...args: string[]) =>
    JSON.parse(await run([...args, '-o', 'json'])) as { metadata: Record<string, unknown> };

  before(async () => {
    server = await startServer(['--disable-controller-manager']);
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('lets /status change annotations but not a Deployment’s labels', async () => {
    await run(['create', 'deployment', 'web', '--image=nginx']);
    await run([
      'patch',
      'deployment',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"metadata":{"annotations":{"a":"1"},"labels":{"app":"changed"}},"status":{"observedGeneration":1}}',
    ]);
    const d = await json('get', 'deployment', 'web');
    assert.equal((d.metadata['annotations'] as Record<string, string>)['a'], '1');
    assert.equal((d.metadata['labels'] as Record<string, string>)['app'], 'web');
  });

  it('lets /status change a pod’s labels but not its owner references', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        labels: { a: 'b' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: '1234' }],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    };
    await run(['create', '-f', '-'], JSON.stringify(pod));
    await run([
      'patch',
      'pod',
      'p',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"a":"c"},"ownerReferences":null},"status":{"phase":"Pending"}}',
    ]);
    const p = await json('get', 'pod', 'p');
    assert.deepEqual(p.metadata['labels'], { a: 'c' });
    assert.equal((p.metadata['ownerReferences'] as unknown[]).length, 1);
  });

  it('cuts long generateName prefixes and leaves out empty collections', async () => {
    const prefix = 'x'.repeat(70);
    const out = await run(
      ['create', '-f', '-', '-o', 'json'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { generateName: prefix, labels: {}, annotations: {}, finalizers: [], ownerReferences: [] },
      }),
    );
    const cm = JSON.parse(out) as { metadata: Record<string, unknown> & { name: string } };
    assert.equal(cm.metadata.name.length, 63);
    assert.ok(cm.metadata.name.startsWith('x'.repeat(58)));
    for (const f of ['labels', 'annotations', 'finalizers', 'ownerReferences'])
      assert.equal(f in cm.metadata, false, f);
  });
});
