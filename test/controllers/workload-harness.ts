/** A cluster, kubectl, and a watch that records objects as they change, for the workload-controller tests. */
import { loadKubeconfig } from '../../src/client/config.js';
import { Informer } from '../../src/client/informer.js';
import type { StoredObject } from '../../src/apimachinery/meta.js';
import type { ResourceType } from '../../src/client/rest.js';
import { RestClient } from '../../src/client/rest.js';
import { startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { kubectl, ok } from '../support/kubectl.js';
import type { Kubectl, RunResult } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

export interface Harness {
  cluster: RunningCluster;
  client: RestClient;
  run(k: Kubectl, ...args: string[]): Promise<RunResult>;
  /** Runs kubectl and asserts success; its stdout. */
  ok(k: Kubectl, ...args: string[]): Promise<string>;
  apply(k: Kubectl, manifest: string): Promise<string>;
  /** `kubectl get -o json` of one object or list, parsed. */
  json<T>(k: Kubectl, ...args: string[]): Promise<T>;
  stop(): Promise<void>;
}

export async function startHarness(nodes = 3): Promise<Harness> {
  const cluster = await startCluster({ nodes });
  const cache = tempDir('k8ts-kubectl-');
  const client = new RestClient(loadKubeconfig(cluster.kubeconfig, 'k8ts-workload-tests/v0'));
  const run = (k: Kubectl, ...args: string[]) => kubectl(k, cluster.kubeconfig, cache.dir, args);
  return {
    cluster,
    client,
    run,
    ok: async (k, ...args) => ok(await run(k, ...args), `kubectl ${args.join(' ')}`),
    apply: async (k, manifest) =>
      ok(await kubectl(k, cluster.kubeconfig, cache.dir, ['apply', '-f', '-'], manifest), 'kubectl apply'),
    json: async <T>(k: Kubectl, ...args: string[]) =>
      JSON.parse(ok(await run(k, ...args, '-o', 'json'), `kubectl ${args.join(' ')}`)) as T,
    async stop() {
      client.close();
      await cluster.stop();
      cache.remove();
    },
  };
}

/** A watch of `type` objects matching `labelSelector` that calls `check` with the whole cache after every change. */
export async function watchAll<T extends StoredObject>(
  h: Harness,
  type: ResourceType,
  labelSelector: string,
  check: (all: T[], change: { kind: 'add' | 'update' | 'delete'; obj: T }) => void,
): Promise<{ informer: Informer<T>; stop: () => Promise<void> }> {
  const informer = new Informer<T>(h.client, type, { namespace: 'default', labelSelector });
  informer.addHandler({
    add: (obj) => check(informer.list(), { kind: 'add', obj }),
    update: (_old, obj) => check(informer.list(), { kind: 'update', obj }),
    delete: (obj) => check(informer.list(), { kind: 'delete', obj }),
  });
  informer.start();
  await informer.synced;
  return { informer, stop: () => informer.stop() };
}
