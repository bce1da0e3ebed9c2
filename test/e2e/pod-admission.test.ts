/**
 * What a new pod gets from the API server before anything runs it, as real kubectl shows it: Priority
 * admission (priority, preemption policy, the global default class, Forbidden for an unknown class),
 * pod defaults (requests from limits, service links), the QoS class, and managedFields that record the
 * writer's fields and defaults but not the server's status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { fails, findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const k = findKubectls([33])[0]!;

interface PodJson {
  metadata: { managedFields?: { manager: string; fieldsV1: Record<string, unknown> }[] };
  spec: {
    priority?: number;
    priorityClassName?: string;
    preemptionPolicy?: string;
    enableServiceLinks?: boolean;
    containers: { resources: Record<string, Record<string, string>> }[];
  };
  status: { qosClass?: string };
}

const podYaml = (name: string, extra = '', resources = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:${extra}
  containers:
  - name: c
    image: nginx:1.27${resources}
`;

describe('pod admission and defaults', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = async (args: string[], input?: string) =>
    ok(await kubectl(k, server.kubeconfig, cache.dir, args, input), args.join(' '));
  const pod = async (name: string) =>
    JSON.parse(await run(['get', 'pod', name, '-o', 'json', '--show-managed-fields'])) as PodJson;

  before(async () => {
    server = await startServer(['--disable-controller-manager', '--disable-scheduler']);
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('gives a pod without a class priority 0 and PreemptLowerPriority, and a BestEffort QoS class', async () => {
    await run(['create', '-f', '-'], podYaml('plain'));
    const p = await pod('plain');
    assert.equal(p.spec.priority, 0);
    assert.equal(p.spec.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal(p.spec.priorityClassName, undefined);
    assert.equal(p.spec.enableServiceLinks, true);
    assert.equal(p.status.qosClass, 'BestEffort');
    const fields = p.metadata.managedFields?.find((m) => m.manager === 'kubectl-create')?.fieldsV1;
    assert.ok(fields?.['f:spec'], 'the writer owns the spec fields');
    assert.equal(fields?.['f:status'], undefined, 'status a create starts with is not the writer’s');
    const described = await run(['describe', 'pod', 'plain']);
    assert.match(described, /^Priority:\s+0$/m);
    assert.match(described, /^QoS Class:\s+BestEffort$/m);
  });

  it('takes priority from the named class and from the global default', async () => {
    await run(['create', '-f', '-'], podYaml('critical', '\n  priorityClassName: system-cluster-critical'));
    assert.equal((await pod('critical')).spec.priority, 2000000000);
    await run([
      'create',
      'priorityclass',
      'low',
      '--value=-5',
      '--global-default',
      '--preemption-policy=Never',
    ]);
    await run(['create', 'priorityclass', 'lower', '--value=-10', '--global-default']);
    await run(['create', '-f', '-'], podYaml('defaulted'));
    const p = await pod('defaulted');
    assert.equal(p.spec.priorityClassName, 'lower', 'the lowest of two global defaults');
    assert.equal(p.spec.priority, -10);
    assert.equal(p.spec.preemptionPolicy, 'PreemptLowerPriority');
    await run(['delete', 'priorityclass', 'lower']);
    await run(['create', '-f', '-'], podYaml('never', '\n  priorityClassName: low'));
    assert.equal((await pod('never')).spec.preemptionPolicy, 'Never');
    await run(['delete', 'priorityclass', 'low']);
  });

  it('refuses an unknown class and a priority that disagrees with the class, with Forbidden', async () => {
    const refused = async (name: string, extra: string) =>
      fails(
        await kubectl(k, server.kubeconfig, cache.dir, ['create', '-f', '-'], podYaml(name, extra)),
        `create ${name}`,
      );
    assert.match(
      await refused('lost', '\n  priorityClassName: nope'),
      /Error from server \(Forbidden\): error when creating "STDIN": pods "lost" is forbidden: no PriorityClass with name nope was found/,
    );
    assert.match(
      await refused('wrong', '\n  priority: 7'),
      /pods "wrong" is forbidden: the integer value of priority \(7\) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name/,
    );
  });

  it('keeps priority on a replace that leaves it out', async () => {
    await run(['create', '-f', '-'], podYaml('kept', '\n  priorityClassName: system-node-critical'));
    await run(
      ['replace', '-f', '-'],
      podYaml('kept', '\n  priorityClassName: system-node-critical\n  activeDeadlineSeconds: 600'),
    );
    const p = await pod('kept');
    assert.equal(p.spec.priority, 2000001000);
  });

  it('defaults requests from limits and classes the pod Guaranteed or Burstable', async () => {
    await run(
      ['create', '-f', '-'],
      podYaml('guaranteed', '', '\n    resources:\n      limits:\n        cpu: 500m\n        memory: 128Mi'),
    );
    const g = await pod('guaranteed');
    assert.deepEqual(g.spec.containers[0]!.resources['requests'], { cpu: '500m', memory: '128Mi' });
    assert.equal(g.status.qosClass, 'Guaranteed');
    await run(
      ['create', '-f', '-'],
      podYaml('burstable', '', '\n    resources:\n      requests:\n        cpu: 100m'),
    );
    assert.equal((await pod('burstable')).status.qosClass, 'Burstable');
    assert.match(await run(['describe', 'pod', 'burstable']), /^QoS Class:\s+Burstable$/m);
  });
});
