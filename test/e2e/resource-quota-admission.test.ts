/**
 * ResourceQuota admission, driven with real kubectl: creates past a quota are refused with Kubernetes'
 * messages, pods must state what a compute quota tracks, admitted creates are charged at once (and a
 * server dry run is not), and concurrent creates cannot overrun a quota.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isStatusError } from '../../src/apimachinery/errors.js';
import { loadKubeconfig } from '../../src/client/config.js';
import { CONFIG_MAPS } from '../../src/client/resources.js';
import { RestClient } from '../../src/client/rest.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { fails, findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;

const podYaml = (name: string, resources = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: q
spec:
  containers:
  - name: c
    image: nginx:1.27${resources}
`;
const sized = '\n    resources:\n      requests:\n        cpu: 400m\n      limits:\n        memory: 256Mi';

describe('ResourceQuota admission', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = async (args: string[], input?: string) =>
    ok(await kubectl(k, server.kubeconfig, cache.dir, args, input), args.join(' '));
  const refused = async (args: string[], input?: string) =>
    fails(await kubectl(k, server.kubeconfig, cache.dir, args, input), args.join(' '));
  const used = async (quota: string) =>
    JSON.parse(await run(['get', 'quota', quota, '-n', 'q', '-o', 'jsonpath={.status.used}'])) as Record<
      string,
      string
    >;

  before(async () => {
    // The controller manager fills in status.used; no scheduler, so pods stay Pending (and counted).
    server = await startServer(['--disable-scheduler']);
    await run(['create', 'namespace', 'q']);
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('refuses pods past the quota, and pods that leave out what it tracks', async () => {
    await run(['create', 'quota', 'compute', '-n', 'q', '--hard=pods=2,requests.cpu=1,limits.memory=1Gi']);
    await until(
      'the quota controller to count usage',
      async () => (await used('compute').catch((): Record<string, string> => ({})))['pods'] === '0',
    );
    assert.match(
      await refused(['create', '-f', '-'], podYaml('bare')),
      /Error from server \(Forbidden\): error when creating "STDIN": pods "bare" is forbidden: failed quota: compute: must specify limits\.memory for: c; requests\.cpu for: c/,
    );
    await run(['create', '-f', '-'], podYaml('one', sized));
    assert.deepEqual(await used('compute'), { 'limits.memory': '256Mi', pods: '1', 'requests.cpu': '400m' });
    // A server-side dry run is checked but not charged.
    await run(['create', '--dry-run=server', '-f', '-'], podYaml('dry', sized));
    assert.equal((await used('compute'))['pods'], '1');
    await run(['create', '-f', '-'], podYaml('two', sized));
    assert.match(
      await refused(['create', '-f', '-'], podYaml('three', sized)),
      /pods "three" is forbidden: exceeded quota: compute, requested: pods=1,requests\.cpu=400m, used: pods=2,requests\.cpu=800m, limited: pods=2,requests\.cpu=1/,
    );
    // Deleting a pod gives its share back once the controller recounts.
    await run(['delete', 'pod', 'one', '-n', 'q', '--grace-period=0', '--force']);
    await until('the quota to be recounted', async () => (await used('compute'))['pods'] === '1');
    await run(['create', '-f', '-'], podYaml('three', sized));
  });

  it('lets exactly as many concurrent creates through as the quota allows', async () => {
    await run(['create', 'quota', 'objects', '-n', 'q', '--hard=count/configmaps=3']);
    await until('the quota controller to count configmaps', async () => {
      const u = await used('objects').catch((): Record<string, string> => ({}));
      return u['count/configmaps'] !== undefined;
    });
    const already = Number((await used('objects'))['count/configmaps']);
    const client = new RestClient(loadKubeconfig(server.kubeconfig, 'quota-test'));
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          client.create(CONFIG_MAPS, 'q', {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `cm-${i}` },
          }),
        ),
      );
      const admitted = results.filter((r) => r.status === 'fulfilled').length;
      assert.equal(admitted, 3 - already);
      for (const r of results)
        if (r.status === 'rejected') assert.ok(isStatusError(r.reason, 'Forbidden'), String(r.reason));
    } finally {
      client.close();
    }
    assert.equal((await used('objects'))['count/configmaps'], '3');
  });
});
