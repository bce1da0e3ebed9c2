/** The PV binder, the ResourceQuota controller and componentstatuses in a real server, through real kubectl. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;

const pv = (
  name: string,
  size: string,
  opts: { cls?: string; modes?: string[]; policy?: string; labels?: object } = {},
) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, labels: opts.labels ?? {} },
  spec: {
    capacity: { storage: size },
    accessModes: opts.modes ?? ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: opts.policy ?? 'Retain',
    ...(opts.cls !== undefined ? { storageClassName: opts.cls } : {}),
    hostPath: { path: `/tmp/k8ts-pv-${name}` },
  },
});
const pvc = (
  name: string,
  size: string,
  opts: { cls?: string; modes?: string[]; selector?: object } = {},
) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: {
    accessModes: opts.modes ?? ['ReadWriteOnce'],
    resources: { requests: { storage: size } },
    ...(opts.cls !== undefined ? { storageClassName: opts.cls } : {}),
    ...(opts.selector ? { selector: opts.selector } : {}),
  },
});
const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

describe('persistent volume binder, quota status, component statuses', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = (args: string[], input?: string) => kubectl(k, cluster.kubeconfig, cache.dir, args, input);
  const get = async (...args: string[]) => ok(await run(args), args.join(' '));
  const jsonpath = (kind: string, name: string, path: string, ns = 'default') =>
    get('-n', ns, 'get', kind, name, '-o', `jsonpath=${path}`);

  before(async () => {
    cluster = await startCluster({ nodes: 2 });
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('binds claims to the smallest matching volume by class, size, access modes and labels', async () => {
    await get('create', 'namespace', 'vols');
    ok(
      await run(
        ['apply', '-f', '-'],
        list(
          pv('small', '1Gi', { cls: 'manual' }),
          pv('big', '10Gi', { cls: 'manual' }),
          pv('rox', '2Gi', { cls: 'manual', modes: ['ReadOnlyMany'] }),
          pv('other-class', '5Gi', { cls: 'slow' }),
          pv('labelled', '3Gi', { cls: 'manual', labels: { tier: 'gold' } }),
        ),
      ),
      'apply pvs',
    );
    ok(
      await run(
        ['-n', 'vols', 'apply', '-f', '-'],
        list(
          pvc('fits-small', '500Mi', { cls: 'manual' }),
          pvc('needs-rox', '1Gi', { cls: 'manual', modes: ['ReadOnlyMany'] }),
          pvc('gold', '1Gi', { cls: 'manual', selector: { matchLabels: { tier: 'gold' } } }),
          pvc('too-big', '100Gi', { cls: 'manual' }),
        ),
      ),
      'apply pvcs',
    );
    await until('claims bound', async () => {
      const out = await get(
        '-n',
        'vols',
        'get',
        'pvc',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.status.phase}/{.spec.volumeName} {end}',
      );
      return (
        out.includes('fits-small=Bound/small') &&
        out.includes('needs-rox=Bound/rox') &&
        out.includes('gold=Bound/labelled')
      );
    });
    assert.equal(await jsonpath('pvc', 'too-big', '{.status.phase}', 'vols'), 'Pending');
    assert.equal(
      await jsonpath('pv', 'small', '{.status.phase}/{.spec.claimRef.namespace}/{.spec.claimRef.name}'),
      'Bound/vols/fits-small',
    );
    assert.equal(await jsonpath('pvc', 'fits-small', '{.status.capacity.storage}', 'vols'), '1Gi');
    assert.equal(
      await jsonpath(
        'pvc',
        'fits-small',
        `{.metadata.annotations.pv\\.kubernetes\\.io/bind-completed}`,
        'vols',
      ),
      'yes',
    );
    const table = await get('get', 'pv', 'small');
    assert.match(table, /small\s+1Gi\s+RWO\s+Retain\s+Bound\s+vols\/fits-small\s+manual/);
    assert.equal(await jsonpath('pv', 'big', '{.status.phase}'), 'Available');
    // A bigger volume appears: the pending claim takes it.
    ok(await run(['apply', '-f', '-'], list(pv('huge', '200Gi', { cls: 'manual' }))), 'apply huge');
    await until(
      'too-big bound',
      async () => (await jsonpath('pvc', 'too-big', '{.status.phase}', 'vols')) === 'Bound',
    );
  });

  it('releases a volume whose claim is deleted: Retain keeps it, Delete removes it', async () => {
    ok(
      await run(
        ['apply', '-f', '-'],
        list(pv('keep', '1Gi', { cls: 'rel' }), pv('drop', '1Gi', { cls: 'rel2', policy: 'Delete' })),
      ),
      'pvs',
    );
    ok(
      await run(
        ['-n', 'vols', 'apply', '-f', '-'],
        list(pvc('c-keep', '1Gi', { cls: 'rel' }), pvc('c-drop', '1Gi', { cls: 'rel2' })),
      ),
      'pvcs',
    );
    await until(
      'both bound',
      async () =>
        (await jsonpath('pv', 'keep', '{.status.phase}')) === 'Bound' &&
        (await jsonpath('pv', 'drop', '{.status.phase}')) === 'Bound',
    );
    await get('-n', 'vols', 'delete', 'pvc', 'c-keep', 'c-drop');
    await until(
      'keep released',
      async () => (await jsonpath('pv', 'keep', '{.status.phase}')) === 'Released',
    );
    await until('drop deleted', async () => (await run(['get', 'pv', 'drop'])).code !== 0);
    // A new claim of the same class does not take a Released volume.
    ok(await run(['-n', 'vols', 'apply', '-f', '-'], list(pvc('c-again', '1Gi', { cls: 'rel' }))), 'again');
    await until('event', async () =>
      (await get('-n', 'vols', 'describe', 'pvc', 'c-again')).includes('ProvisioningFailed'),
    );
    assert.equal(await jsonpath('pvc', 'c-again', '{.status.phase}', 'vols'), 'Pending');
  });

  it('gives classless claims the default StorageClass and waits for the first consumer when asked to', async () => {
    const sc = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
    };
    ok(await run(['apply', '-f', '-'], list(sc, pv('local-1', '1Gi', { cls: 'local' }))), 'sc');
    ok(await run(['-n', 'vols', 'apply', '-f', '-'], list(pvc('data', '1Gi'))), 'pvc');
    await until(
      'default class set',
      async () => (await jsonpath('pvc', 'data', '{.spec.storageClassName}', 'vols')) === 'local',
    );
    await until('waiting event', async () =>
      (await get('-n', 'vols', 'describe', 'pvc', 'data')).includes(
        'waiting for first consumer to be created before binding',
      ),
    );
    assert.equal(await jsonpath('pvc', 'data', '{.status.phase}', 'vols'), 'Pending');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'consumer', namespace: 'vols' },
      spec: {
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/d' }] }],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }],
      },
    };
    ok(await run(['apply', '-f', '-'], JSON.stringify(pod)), 'pod');
    await until(
      'bound after consumer',
      async () =>
        (await jsonpath('pvc', 'data', '{.status.phase}/{.spec.volumeName}', 'vols')) === 'Bound/local-1',
    );
  });

  it('keeps ResourceQuota status.used current', async () => {
    await get('create', 'namespace', 'quota');
    await get(
      '-n',
      'quota',
      'create',
      'quota',
      'q',
      '--hard=pods=10,configmaps=5,requests.cpu=2,limits.memory=1Gi,count/deployments.apps=4',
    );
    await until(
      'initial usage',
      async () => (await jsonpath('quota', 'q', '{.status.used.pods}', 'quota')) === '0',
    );
    // The namespace's kube-root-ca.crt may or may not exist; count what is there.
    const before = Number(await jsonpath('quota', 'q', '{.status.used.configmaps}', 'quota'));
    await get('-n', 'quota', 'create', 'configmap', 'a', '--from-literal=x=y');
    await get('-n', 'quota', 'create', 'deployment', 'd', '--image=nginx', '--replicas=0');
    const podSpec = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'quota' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx',
            resources: { requests: { cpu: '250m' }, limits: { memory: '128Mi' } },
          },
        ],
      },
    });
    ok(await run(['apply', '-f', '-'], list(podSpec('p1'), podSpec('p2'))), 'pods');
    await until('usage counted', async () => {
      const used = JSON.parse(await jsonpath('quota', 'q', '{.status.used}', 'quota')) as Record<
        string,
        string
      >;
      return (
        used['pods'] === '2' &&
        used['requests.cpu'] === '500m' &&
        used['limits.memory'] === '256Mi' &&
        used['configmaps'] === String(before + 1) &&
        used['count/deployments.apps'] === '1'
      );
    });
    const described = await get('-n', 'quota', 'describe', 'quota', 'q');
    assert.match(described, /requests\.cpu\s+500m\s+2/);
    await get('-n', 'quota', 'delete', 'pod', 'p1', '--wait=true');
    await until(
      'usage drops',
      async () => (await jsonpath('quota', 'q', '{.status.used.pods}', 'quota')) === '1',
    );
  });

  it('reports the scheduler and controller manager in componentstatuses', async () => {
    const out = await get('get', 'componentstatuses');
    assert.match(out, /scheduler\s+Healthy\s+ok/);
    assert.match(out, /controller-manager\s+Healthy\s+ok/);
    assert.match(out, /etcd-0\s+Healthy\s+ok/);
  });
});
