/** `k8ts server --simulated-nodes N`: simulated nodes and the pods they run, as real kubectl sees them. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';
import { parseIPv4, parseIPv4Cidr, prefixMask } from '../../src/util/ipv4.js';

const k = findKubectls([33])[0]!;
const bin = fileURLToPath(new URL('../../../bin/k8ts', import.meta.url));

interface NodeJson {
  metadata: { name: string; labels: Record<string, string> };
  spec: { podCIDR?: string; podCIDRs?: string[] };
  status: {
    conditions: { type: string; status: string; reason: string }[];
    addresses: { type: string; address: string }[];
    allocatable: Record<string, string>;
  };
}
interface PodJson {
  metadata: { name: string };
  spec: { nodeName?: string; tolerations?: { key?: string; tolerationSeconds?: number }[] };
  status: {
    phase: string;
    podIP?: string;
    hostIP?: string;
    startTime?: string;
    conditions?: { type: string; status: string; reason?: string }[];
    containerStatuses?: {
      ready: boolean;
      restartCount: number;
      state: { running?: object; terminated?: { exitCode: number; reason: string } };
      lastState?: { terminated?: { exitCode: number } };
    }[];
  };
}

const inCidr = (ip: string, cidr: string) => {
  const block = parseIPv4Cidr(cidr)!;
  return (parseIPv4(ip)! & prefixMask(block.bits)) >>> 0 === block.network;
};

const pod = (name: string, nodeName: string | undefined, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...((extra['metadata'] as object) ?? {}) },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: 'app', image: 'nginx:1.25' }],
      ...((extra['spec'] as object) ?? {}),
    },
  });

describe('k8ts agent', () => {
  it('has --help, and refuses to run without simulated nodes or a kubeconfig', async () => {
    const run = promisify(execFile);
    const help = await run(process.execPath, [bin, 'agent', '--help']);
    assert.match(help.stdout, /Usage: k8ts agent/);
    assert.match(help.stdout, /--simulated-nodes/);
    assert.match(help.stdout, /--kubeconfig/);
    const noConfig = await run(process.execPath, [bin, 'agent', '--simulated-nodes', '2']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal((noConfig as { code: number }).code, 2);
    assert.match((noConfig as { stderr: string }).stderr, /--kubeconfig is required/);
  });
});

describe('simulated nodes', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, server.kubeconfig, cache.dir, args);
  const apply = (manifest: string) =>
    kubectl(k, server.kubeconfig, cache.dir, ['apply', '-f', '-'], manifest);
  const getJson = async <T>(...args: string[]) =>
    JSON.parse(ok(await run(...args, '-o', 'json'), args.join(' '))) as T;

  before(async () => {
    server = await startServer([
      '--simulated-nodes',
      '3',
      '--simulated-node-lease-duration',
      '4',
      '--simulated-node-pods',
      '3',
    ]);
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('registers Ready nodes with distinct podCIDRs from the cluster CIDR and renewing leases', async () => {
    let nodes: NodeJson[] = [];
    await until(
      'three Ready nodes with podCIDRs',
      async () => {
        nodes = (await getJson<{ items: NodeJson[] }>('get', 'nodes')).items;
        return (
          nodes.length === 3 &&
          nodes.every(
            (n) =>
              n.spec.podCIDR && n.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
          )
        );
      },
      20_000,
    );
    assert.deepEqual(
      nodes.map((n) => n.metadata.name),
      ['sim-0', 'sim-1', 'sim-2'],
    );
    const cidrs = nodes.map((n) => n.spec.podCIDR!);
    assert.equal(new Set(cidrs).size, 3);
    for (const n of nodes) {
      assert.ok(inCidr(n.spec.podCIDR!.split('/')[0]!, '10.42.0.0/16'), n.spec.podCIDR);
      assert.match(n.spec.podCIDR!, /\/24$/);
      assert.deepEqual(n.spec.podCIDRs, [n.spec.podCIDR]);
      assert.equal(n.metadata.labels['kubernetes.io/hostname'], n.metadata.name);
      assert.equal(n.metadata.labels['kubernetes.io/os'], 'linux');
      assert.equal(n.metadata.labels['type'], 'simulated');
      assert.equal(n.status.allocatable['pods'], '3');
      assert.equal(n.status.allocatable['cpu'], '32');
      const conds = Object.fromEntries(n.status.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
      assert.deepEqual(conds, {
        MemoryPressure: 'False/KubeletHasSufficientMemory',
        DiskPressure: 'False/KubeletHasNoDiskPressure',
        PIDPressure: 'False/KubeletHasSufficientPID',
        Ready: 'True/KubeletReady',
      });
    }
    const wide = ok(await run('get', 'nodes', '-o', 'wide'), 'get nodes -o wide');
    assert.match(wide, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE/);
    assert.match(
      wide,
      /^sim-0\s+Ready\s+<none>\s+\S+\s+v1\.\d+\.\d+\s+172\.16\.0\.2\s+<none>\s+k8ts simulated node/m,
    );

    const renewTime = async () =>
      ok(
        await run('-n', 'kube-node-lease', 'get', 'lease', 'sim-1', '-o', 'jsonpath={.spec.renewTime}'),
        'lease',
      );
    const first = await renewTime();
    assert.match(first, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await until('the lease renewed', async () => (await renewTime()) !== first);
    const holder = ok(
      await run('-n', 'kube-node-lease', 'get', 'lease', 'sim-1', '-o', 'jsonpath={.spec.holderIdentity}'),
      'lease holder',
    );
    assert.equal(holder, 'sim-1');
  });

  it('runs bound pods: an IP from the node podCIDR, Running and Ready, and finishes deletions', async () => {
    ok(await apply(pod('web-0', 'sim-0')), 'create web-0');
    ok(await apply(pod('web-1', 'sim-0')), 'create web-1');
    // Bound the way the scheduler binds: through pods/binding.
    ok(await apply(pod('bound', undefined, { spec: { schedulerName: 'nobody' } })), 'create bound');
    ok(
      await kubectl(
        k,
        server.kubeconfig,
        cache.dir,
        ['create', '--raw', '/api/v1/namespaces/default/pods/bound/binding', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: 'bound' },
          target: { kind: 'Node', name: 'sim-2' },
        }),
      ),
      'bind',
    );
    let pods: PodJson[] = [];
    await until('three running ready pods', async () => {
      pods = (await getJson<{ items: PodJson[] }>('get', 'pods')).items;
      return (
        pods.length === 3 &&
        pods.every(
          (p) =>
            p.status.phase === 'Running' &&
            p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        )
      );
    });
    const nodes = (await getJson<{ items: NodeJson[] }>('get', 'nodes')).items;
    const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
    for (const p of pods) {
      const node = byName.get(p.spec.nodeName!)!;
      assert.ok(inCidr(p.status.podIP!, node.spec.podCIDR!), `${p.status.podIP} in ${node.spec.podCIDR}`);
      assert.equal(p.status.hostIP, node.status.addresses.find((a) => a.type === 'InternalIP')!.address);
      assert.ok(p.status.startTime);
      for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'])
        assert.equal(p.status.conditions!.find((c) => c.type === type)?.status, 'True', type);
      assert.equal(p.status.containerStatuses![0]!.ready, true);
      assert.ok(p.status.containerStatuses![0]!.state.running);
      // DefaultTolerationSeconds gave every pod 5 minutes on a silent node.
      assert.equal(
        p.spec.tolerations?.find((t) => t.key === 'node.kubernetes.io/unreachable')?.tolerationSeconds,
        300,
      );
    }
    const ips = pods.map((p) => p.status.podIP);
    assert.equal(new Set(ips).size, 3);
    const table = ok(await run('get', 'pods', '-o', 'wide'), 'get pods -o wide');
    assert.match(table, /^web-0\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.\d+\.\d+\s+sim-0\s/m);
    assert.match(table, /^bound\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.\d+\.\d+\s+sim-2\s/m);

    // A graceful deletion is finished by the node at once.
    const out = ok(await run('delete', 'pod', 'web-0', '--timeout=20s'), 'delete web-0');
    assert.match(out, /pod "web-0" deleted/);
    ok(await run('delete', 'pod', 'web-1', 'bound', '--timeout=20s'), 'delete the rest');
    assert.equal(ok(await run('get', 'pods', '-o', 'name'), 'get pods').trim(), '');
  });

  it('completes Never pods with their exit code and restarts failing OnFailure pods', async () => {
    const annotations = (seconds: string, code: string) => ({
      metadata: {
        annotations: { 'k8ts.io/simulated-run-seconds': seconds, 'k8ts.io/simulated-exit-code': code },
      },
    });
    ok(await apply(pod('ok', 'sim-1', { ...annotations('1', '0'), spec: { restartPolicy: 'Never' } })), 'ok');
    ok(
      await apply(pod('bad', 'sim-1', { ...annotations('1', '3'), spec: { restartPolicy: 'Never' } })),
      'bad',
    );
    ok(
      await apply(pod('flaky', 'sim-2', { ...annotations('1', '2'), spec: { restartPolicy: 'OnFailure' } })),
      'flaky',
    );
    const phase = async (name: string) =>
      ok(await run('get', 'pod', name, '-o', 'jsonpath={.status.phase}'), `phase of ${name}`);
    await until(
      'ok Succeeded and bad Failed',
      async () => (await phase('ok')) === 'Succeeded' && (await phase('bad')) === 'Failed',
    );
    const good = await getJson<PodJson>('get', 'pod', 'ok');
    assert.deepEqual(good.status.containerStatuses![0]!.state.terminated, {
      ...good.status.containerStatuses![0]!.state.terminated,
      exitCode: 0,
      reason: 'Completed',
    });
    assert.equal(good.status.conditions!.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
    const failed = await getJson<PodJson>('get', 'pod', 'bad');
    assert.equal(failed.status.containerStatuses![0]!.state.terminated?.exitCode, 3);
    assert.equal(failed.status.containerStatuses![0]!.state.terminated?.reason, 'Error');
    const table = ok(await run('get', 'pods'), 'get pods');
    assert.match(table, /^ok\s+0\/1\s+Completed\s+0\s/m);
    assert.match(table, /^bad\s+0\/1\s+Error\s+0\s/m);

    await until('flaky restarted twice', async () => {
      const p = await getJson<PodJson>('get', 'pod', 'flaky');
      return (p.status.containerStatuses?.[0]?.restartCount ?? 0) >= 2;
    });
    const flaky = await getJson<PodJson>('get', 'pod', 'flaky');
    assert.equal(flaky.status.phase, 'Running');
    assert.equal(flaky.status.containerStatuses![0]!.lastState?.terminated?.exitCode, 2);
    ok(await run('delete', 'pod', 'ok', 'bad', 'flaky', '--timeout=20s'), 'clean up');
  });

  it('acts as a node: the simulated kubelet identity may do what a kubelet does, no more', async () => {
    const can = async (...args: string[]) =>
      (
        await run('auth', 'can-i', '--as', 'system:node:simulated', '--as-group', 'system:nodes', ...args)
      ).stdout.trim();
    assert.equal(await can('update', 'leases', '-n', 'kube-node-lease'), 'yes');
    assert.equal(await can('patch', 'nodes', '--subresource=status'), 'yes');
    assert.equal(await can('patch', 'pods', '--subresource=status', '-n', 'default'), 'yes');
    assert.equal(await can('delete', 'pods', '-n', 'default'), 'yes');
    assert.equal(await can('create', 'deployments', '-n', 'default'), 'no');
    assert.equal(await can('get', 'secrets', '-n', 'kube-system'), 'no');
  });

  it('refuses pods beyond the node capacity (OutOfpods), and gives host-network pods the node IP', async () => {
    for (const name of ['c-0', 'c-1', 'c-2']) ok(await apply(pod(name, 'sim-0')), `create ${name}`);
    const phase = async (name: string) =>
      ok(await run('get', 'pod', name, '-o', 'jsonpath={.status.phase}'), `phase of ${name}`);
    await until('three running', async () => {
      for (const name of ['c-0', 'c-1', 'c-2']) if ((await phase(name)) !== 'Running') return false;
      return true;
    });
    ok(await apply(pod('c-3', 'sim-0')), 'create c-3');
    await until('c-3 rejected', async () => (await phase('c-3')) === 'Failed');
    const rejected = JSON.parse(ok(await run('get', 'pod', 'c-3', '-o', 'json'), 'c-3')) as {
      status: { reason: string; message: string };
    };
    assert.equal(rejected.status.reason, 'OutOfpods');
    assert.match(rejected.status.message, /^Pod was rejected: Node didn't have enough resource: pods/);

    ok(await apply(pod('host', 'sim-1', { spec: { hostNetwork: true } })), 'create host');
    await until('host running', async () => (await phase('host')) === 'Running');
    const ip = ok(await run('get', 'pod', 'host', '-o', 'jsonpath={.status.podIP}/{.status.hostIP}'), 'ips');
    assert.equal(ip, '172.16.0.3/172.16.0.3');
  });
});
