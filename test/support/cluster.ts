/**
 * A k8ts server with nodes that run pods, for controller end-to-end tests.
 *
 * Until the scheduler and simulated nodes are merged this uses a stand-in that lives in the test
 * process: it registers `nodes` Ready nodes, binds unscheduled pods round-robin through pods/binding,
 * marks bound pods Running and Ready, completes pods whose restartPolicy is Never/OnFailure after
 * the `k8ts.io/simulated-run-seconds` annotation (default 1) with `k8ts.io/simulated-exit-code`
 * (default 0), and finishes graceful pod deletions. Tests only use `startCluster` and `kubectl`, so
 * switching to `k8ts server --simulated-nodes N` changes nothing in them.
 */
import { loadKubeconfig } from '../../src/client/config.js';
import { Informer } from '../../src/client/informer.js';
import type { Pod } from '../../src/client/objects.js';
import { NODES, PODS } from '../../src/client/resources.js';
import { RestClient } from '../../src/client/rest.js';
import { startServer } from './k8ts-server.js';
import type { RunningServer } from './k8ts-server.js';

export interface RunningCluster extends RunningServer {
  nodes: string[];
}

export async function startCluster(opts: { nodes?: number; args?: string[] } = {}): Promise<RunningCluster> {
  const count = opts.nodes ?? 3;
  const server = await startServer(opts.args ?? []);
  const client = new RestClient(loadKubeconfig(server.kubeconfig, 'k8ts-test-nodes/v0'));
  const names = Array.from({ length: count }, (_, i) => `node-${i}`);
  for (const [i, name] of names.entries()) {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
      spec: { podCIDR: `10.42.${i}.0/24` },
    };
    await client.create(NODES, undefined, node);
    const capacity = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    await client.patch(
      NODES,
      undefined,
      name,
      'merge',
      {
        status: {
          capacity,
          allocatable: capacity,
          conditions: [
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test node is ready' },
          ],
        },
      },
      { subresource: 'status' },
    );
  }
  const pods = new Informer<Pod>(client, PODS);
  const timers = new Set<NodeJS.Timeout>();
  let next = 0;
  const ips = new Map<string, number>();
  const act = (pod: Pod): void => {
    const { namespace, name } = pod.metadata;
    const done = (p: Promise<unknown>) => void p.catch(() => undefined);
    if (pod.metadata.deletionTimestamp) {
      done(client.delete(PODS, namespace, name, { gracePeriodSeconds: 0 }));
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) {
      if (pod.spec?.schedulerName && pod.spec.schedulerName !== 'default-scheduler') return;
      // A required `matchFields metadata.name In [node]` term (daemon pods) names the node.
      const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      const pinned = terms?.nodeSelectorTerms[0]?.matchFields?.find((f) => f.key === 'metadata.name');
      const target = pinned?.values?.[0] ?? names[next++ % names.length]!;
      done(
        client.create(
          PODS,
          namespace,
          {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name },
            target: { kind: 'Node', name: target },
          },
          { name, subresource: 'binding' },
        ),
      );
      return;
    }
    if (!names.includes(nodeName)) return;
    const phase = pod.status?.phase;
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (phase === 'Pending' || phase === undefined) {
      const idx = names.indexOf(nodeName);
      const n = (ips.get(nodeName) ?? 1) + 1;
      ips.set(nodeName, n);
      const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: stamp });
      done(
        client.patch(
          PODS,
          namespace,
          name,
          'merge',
          {
            status: {
              phase: 'Running',
              podIP: `10.42.${idx}.${n}`,
              podIPs: [{ ip: `10.42.${idx}.${n}` }],
              hostIP: `192.168.0.${idx + 10}`,
              startTime: stamp,
              conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(cond),
              containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
                name: c.name,
                image: c.image,
                imageID: '',
                ready: true,
                started: true,
                restartCount: 0,
                state: { running: { startedAt: stamp } },
              })),
            },
          },
          { subresource: 'status' },
        ),
      );
      const policy = pod.spec?.restartPolicy ?? 'Always';
      if (policy !== 'Always') {
        const seconds = Number(pod.metadata.annotations?.['k8ts.io/simulated-run-seconds'] ?? 1);
        const exit = Number(pod.metadata.annotations?.['k8ts.io/simulated-exit-code'] ?? 0);
        const t = setTimeout(() => {
          timers.delete(t);
          const end = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
          done(
            client.patch(
              PODS,
              namespace,
              name,
              'merge',
              {
                status: {
                  phase: exit === 0 ? 'Succeeded' : 'Failed',
                  conditions: ['Ready', 'ContainersReady'].map((type) => ({
                    type,
                    status: 'False',
                    reason: 'PodCompleted',
                    lastTransitionTime: end,
                  })),
                  containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
                    name: c.name,
                    image: c.image,
                    imageID: '',
                    ready: false,
                    started: false,
                    restartCount: 0,
                    state: {
                      terminated: {
                        exitCode: exit,
                        reason: exit === 0 ? 'Completed' : 'Error',
                        startedAt: stamp,
                        finishedAt: end,
                      },
                    },
                  })),
                },
              },
              { subresource: 'status' },
            ),
          );
        }, seconds * 1000);
        timers.add(t);
      }
    }
  };
  pods.addHandler({ add: act, update: (_o, p) => act(p) });
  pods.start();
  await pods.synced;
  return {
    ...server,
    nodes: names,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await pods.stop();
      client.close();
      await server.stop();
    },
  };
}
