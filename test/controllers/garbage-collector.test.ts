/**
 * The garbage collector inside a real `k8ts server`, driven by real kubectl: background, foreground
 * and orphan cascading deletion of objects tied together by ownerReferences, dangling references,
 * and references across namespaces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;
/** The collector starts once discovery is done and every resource is listed: allow for it. */
const WAIT_MS = 30_000;

interface Ref {
  name: string;
  uid: string;
  kind?: string;
  apiVersion?: string;
  block?: boolean;
}

function configMap(ns: string, name: string, owners: Ref[] = []): string {
  const refs = owners.map((o) => ({
    apiVersion: o.apiVersion ?? 'v1',
    kind: o.kind ?? 'ConfigMap',
    name: o.name,
    uid: o.uid,
    ...(o.block ? { blockOwnerDeletion: true } : {}),
  }));
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, ...(refs.length ? { ownerReferences: refs } : {}) },
    data: { k: 'v' },
  });
}

describe('garbage collector', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = (args: string[], input?: string) => kubectl(k, cluster.kubeconfig, cache.dir, args, input);
  const apply = async (manifest: string) => ok(await run(['apply', '-f', '-'], manifest), 'kubectl apply');
  const uidOf = async (ns: string, what: string) =>
    ok(await run(['-n', ns, 'get', what, '-o', 'jsonpath={.metadata.uid}']), `get ${what}`);
  const exists = async (ns: string, what: string) => (await run(['-n', ns, 'get', what])).code === 0;
  const setFinalizers = async (ns: string, what: string, finalizers: string[] | null) =>
    ok(
      await run([
        '-n',
        ns,
        'patch',
        what,
        '--type=merge',
        '-p',
        JSON.stringify({ metadata: { finalizers } }),
      ]),
      `finalizers of ${what}`,
    );
  const gone = (ns: string, what: string) =>
    until(`${ns}/${what} collected`, async () => !(await exists(ns, what)), WAIT_MS);

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    for (const ns of ['gc-bg', 'gc-fg', 'gc-orphan', 'gc-rc', 'gc-dangling', 'gc-a', 'gc-b'])
      ok(await run(['create', 'namespace', ns]), `create ns ${ns}`);
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('background: deleting the owner deletes its dependents, pods included', async () => {
    const ns = 'gc-bg';
    await apply(configMap(ns, 'owner'));
    const uid = await uidOf(ns, 'cm/owner');
    await apply(configMap(ns, 'dep-1', [{ name: 'owner', uid }]));
    await apply(configMap(ns, 'dep-2', [{ name: 'owner', uid, block: true }]));
    await apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'dep-pod',
          namespace: ns,
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid }],
        },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      }),
    );
    // An unrelated object stays.
    await apply(configMap(ns, 'bystander'));
    const out = ok(await run(['-n', ns, 'delete', 'cm', 'owner']), 'delete owner');
    assert.match(out, /configmap "owner" deleted/);
    await gone(ns, 'cm/dep-1');
    await gone(ns, 'cm/dep-2');
    await gone(ns, 'pod/dep-pod');
    assert.ok(await exists(ns, 'cm/bystander'));
  });

  it('foreground: the owner waits, with its finalizer, until the chain below it is gone', async () => {
    const ns = 'gc-fg';
    await apply(configMap(ns, 'owner'));
    const ownerUid = await uidOf(ns, 'cm/owner');
    await apply(configMap(ns, 'child', [{ name: 'owner', uid: ownerUid, block: true }]));
    const childUid = await uidOf(ns, 'cm/child');
    await apply(configMap(ns, 'grandchild', [{ name: 'child', uid: childUid, block: true }]));
    // A finalizer of someone else's holds the grandchild, and with it the whole chain.
    await setFinalizers(ns, 'cm/grandchild', ['example.com/hold']);
    ok(await run(['-n', ns, 'delete', 'cm', 'owner', '--cascade=foreground', '--wait=false']), 'delete');

    const meta = async (name: string) =>
      JSON.parse(
        ok(await run(['-n', ns, 'get', 'cm', name, '-o', 'jsonpath={.metadata}']), `get ${name}`),
      ) as {
        deletionTimestamp?: string;
        finalizers?: string[];
      };
    await until(
      'grandchild being deleted',
      async () => Boolean((await meta('grandchild')).deletionTimestamp),
      WAIT_MS,
    );
    const child = await meta('child');
    assert.ok(child.deletionTimestamp, 'child is being deleted');
    assert.deepEqual(child.finalizers, ['foregroundDeletion']);
    const owner = await meta('owner');
    assert.ok(owner.deletionTimestamp, 'owner is being deleted');
    assert.deepEqual(owner.finalizers, ['foregroundDeletion']);

    await setFinalizers(ns, 'cm/grandchild', null);
    await gone(ns, 'cm/owner');
    assert.equal(await exists(ns, 'cm/child'), false);
    assert.equal(await exists(ns, 'cm/grandchild'), false);
  });

  it('foreground: kubectl delete --cascade=foreground returns once owner and dependents are gone', async () => {
    const ns = 'gc-fg';
    await apply(configMap(ns, 'parent'));
    const uid = await uidOf(ns, 'cm/parent');
    await apply(configMap(ns, 'kid-1', [{ name: 'parent', uid, block: true }]));
    await apply(configMap(ns, 'kid-2', [{ name: 'parent', uid, block: true }]));
    const kidUid = await uidOf(ns, 'cm/kid-1');
    await apply(configMap(ns, 'grandkid', [{ name: 'kid-1', uid: kidUid, block: true }]));
    const out = ok(
      await run(['-n', ns, 'delete', 'cm', 'parent', '--cascade=foreground', '--timeout=60s']),
      'delete --cascade=foreground',
    );
    assert.match(out, /configmap "parent" deleted/);
    for (const name of ['parent', 'kid-1', 'kid-2', 'grandkid'])
      assert.equal(await exists(ns, `cm/${name}`), false, `${name} is gone`);
  });

  it('orphan: dependents stay, without the reference to the deleted owner', async () => {
    const ns = 'gc-orphan';
    await apply(configMap(ns, 'owner'));
    await apply(configMap(ns, 'other-owner'));
    const uid = await uidOf(ns, 'cm/owner');
    const otherUid = await uidOf(ns, 'cm/other-owner');
    await apply(configMap(ns, 'dep-1', [{ name: 'owner', uid, block: true }]));
    await apply(
      configMap(ns, 'dep-2', [
        { name: 'owner', uid },
        { name: 'other-owner', uid: otherUid },
      ]),
    );
    ok(await run(['-n', ns, 'delete', 'cm', 'owner', '--cascade=orphan', '--timeout=60s']), 'delete orphan');
    assert.equal(await exists(ns, 'cm/owner'), false);
    const refs = async (name: string) =>
      ok(
        await run(['-n', ns, 'get', 'cm', name, '-o', 'jsonpath={.metadata.ownerReferences[*].name}']),
        `refs of ${name}`,
      );
    assert.equal(await refs('dep-1'), '');
    assert.equal(await refs('dep-2'), 'other-owner');
  });

  it('orphan is the default for ReplicationControllers deleted without a policy', async () => {
    const ns = 'gc-rc';
    await apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ReplicationController',
        metadata: { name: 'rc', namespace: ns },
        spec: {
          replicas: 0,
          selector: { app: 'rc' },
          template: {
            metadata: { labels: { app: 'rc' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      }),
    );
    const uid = await uidOf(ns, 'rc/rc');
    await apply(configMap(ns, 'dep', [{ name: 'rc', uid, kind: 'ReplicationController', block: true }]));
    // A bare DELETE, as API clients other than kubectl send it.
    ok(await run(['delete', '--raw', `/api/v1/namespaces/${ns}/replicationcontrollers/rc`]), 'raw delete');
    await gone(ns, 'rc/rc');
    assert.equal(
      ok(await run(['-n', ns, 'get', 'cm', 'dep', '-o', 'jsonpath={.metadata.ownerReferences}']), 'refs'),
      '',
    );
  });

  it('collects a dependent whose owner never existed, and keeps one with a live owner left', async () => {
    const ns = 'gc-dangling';
    await apply(configMap(ns, 'real'));
    const realUid = await uidOf(ns, 'cm/real');
    const ghost = { name: 'ghost', uid: '0c6ee1a4-0000-4000-8000-000000000001' };
    await apply(configMap(ns, 'orphaned', [ghost]));
    // An owner by the right name but another uid is not the owner either.
    await apply(
      configMap(ns, 'imposter-dep', [{ name: 'real', uid: '0c6ee1a4-0000-4000-8000-000000000002' }]),
    );
    await apply(configMap(ns, 'half', [ghost, { name: 'real', uid: realUid }]));
    await gone(ns, 'cm/orphaned');
    await gone(ns, 'cm/imposter-dep');
    await until(
      'dangling reference removed from half',
      async () =>
        ok(
          await run(['-n', ns, 'get', 'cm', 'half', '-o', 'jsonpath={.metadata.ownerReferences[*].name}']),
          'refs',
        ) === 'real',
      WAIT_MS,
    );
  });

  it('an owner reference into another namespace is invalid: reported, and the dependent collected', async () => {
    await apply(configMap('gc-a', 'owner'));
    const uid = await uidOf('gc-a', 'cm/owner');
    await apply(configMap('gc-b', 'cross-ns', [{ name: 'owner', uid }]));
    await gone('gc-b', 'cm/cross-ns');
    assert.ok(await exists('gc-a', 'cm/owner'), 'the other namespace is untouched');
    await until(
      'OwnerRefInvalidNamespace event',
      async () => {
        const r = await run([
          '-n',
          'gc-b',
          'get',
          'events',
          '--field-selector',
          'reason=OwnerRefInvalidNamespace',
          '-o',
          'jsonpath={.items[*].message}',
        ]);
        return r.stdout.includes(
          `ownerRef [v1/ConfigMap, namespace: gc-b, name: owner, uid: ${uid}] does not exist in namespace "gc-b"`,
        );
      },
      WAIT_MS,
    );
  });
});
