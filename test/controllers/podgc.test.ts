/**
 * The pod garbage collector end to end on simulated nodes, with real kubectl: finished pods past
 * `--terminated-pod-gc-threshold` go oldest first, and a pod bound to a node that does not exist goes
 * after the orphan quarantine (40 s, then the 20 s GC period, as kube-controller-manager's).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;

const pod = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations: { 'k8ts.io/simulated-run-seconds': '0' } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
  });

describe('pod garbage collector', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = async (args: string[], input?: string) =>
    ok(await kubectl(k, cluster.kubeconfig, cache.dir, args, input), args.join(' '));
  const podNames = async () =>
    (await run(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']))
      .split(/\s+/)
      .filter(Boolean)
      .sort();

  before(async () => {
    cluster = await startCluster({ nodes: 2, args: ['--terminated-pod-gc-threshold', '2'] });
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('deletes the oldest finished pods past the threshold, and pods of a node that is gone', async () => {
    for (let i = 0; i < 4; i++) {
      await run(['create', '-f', '-'], pod(`done-${i}`, { restartPolicy: 'Never' }));
      // creationTimestamp has whole seconds: space the pods so "oldest" is well defined.
      await new Promise((r) => setTimeout(r, 1100));
    }
    await run(['create', '-f', '-'], pod('orphan', { nodeName: 'gone-node' }));
    await until(
      'the four pods to succeed',
      async () =>
        (await run(['get', 'pods', '--field-selector=status.phase=Succeeded', '-o', 'name']))
          .trim()
          .split('\n').length === 4,
      30_000,
    );
    await until(
      'podgc to keep only the two newest finished pods and remove the orphan',
      async () => (await podNames()).join(' ') === 'done-2 done-3',
      120_000,
    );
    assert.deepEqual(await podNames(), ['done-2', 'done-3']);
  });
});
