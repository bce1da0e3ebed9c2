/**
 * The Job and TTL-after-finished controllers in a real `k8ts server` with three nodes, driven by real
 * kubectl 1.33: parallel completions, backoffLimit, activeDeadlineSeconds, Indexed mode, a pod
 * failure policy, suspend/resume and ttlSecondsAfterFinished, as kubectl users see them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../src/client/config.js';
import { Informer } from '../../src/client/informer.js';
import type { Pod } from '../../src/client/objects.js';
import { PODS } from '../../src/client/resources.js';
import { RestClient } from '../../src/client/rest.js';
import { POD_FAILURE_BACKOFF_ENV } from '../../src/controllers/job/pod-backoff.js';
import { indented, podTemplateYaml } from '../support/batch-manifests.js';
import { startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface JobView {
  metadata: { uid: string; deletionTimestamp?: string; finalizers?: string[] };
  spec: { selector: { matchLabels: Record<string, string> } };
  status: {
    active?: number;
    ready?: number;
    succeeded?: number;
    failed?: number;
    terminating?: number;
    startTime?: string;
    completionTime?: string;
    completedIndexes?: string;
    uncountedTerminatedPods?: Record<string, string[]>;
    conditions?: Condition[];
  };
}
interface EventView {
  involvedObject: { name: string; kind: string };
  reason: string;
  message: string;
  type: string;
}

/** A Job whose pods run for `seconds` and exit with `exitCode` on the stand-in nodes. */
function jobYaml(name: string, spec: string, opts: { seconds?: number; exitCode?: number } = {}): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${indented(spec, 2)}
${podTemplateYaml(2, opts)}`;
}

describe('job controller', () => {
  let cluster: RunningCluster;
  let client: RestClient;
  let pods: Informer<Pod>;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, cluster.kubeconfig, cache.dir, args);
  const kc = async (...args: string[]) => ok(await run(...args), `kubectl ${args.join(' ')}`);
  const apply = async (yaml: string) =>
    ok(await kubectl(k, cluster.kubeconfig, cache.dir, ['apply', '-f', '-'], yaml), 'apply');
  const job = async (name: string) => JSON.parse(await kc('get', 'job', name, '-o', 'json')) as JobView;
  const condition = (j: JobView, type: string) => j.status.conditions?.find((c) => c.type === type);
  const eventsOf = async (name: string) =>
    (JSON.parse(await kc('get', 'events', '-o', 'json')) as { items: EventView[] }).items.filter(
      (e) => e.involvedObject.name === name,
    );
  const podsOf = (name: string) =>
    pods.list((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);
  const activePods = (name: string) =>
    podsOf(name).filter(
      (p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );

  before(async () => {
    // Replacement pods after a failure wait 200 ms × 2^n instead of 10 s × 2^n.
    process.env[POD_FAILURE_BACKOFF_ENV] = '200';
    cluster = await startCluster({ nodes: 3 });
    client = new RestClient(loadKubeconfig(cluster.kubeconfig, 'job-test/v0'));
    pods = new Informer<Pod>(client, PODS, { namespace: 'default' }).start();
    await pods.synced;
  });
  after(async () => {
    await pods?.stop();
    client?.close();
    await cluster?.stop();
    cache.remove();
  });

  it('runs completions=6 with parallelism=2, never more than two pods at once, and completes', async () => {
    let maxActive = 0;
    pods.addHandler({
      add: () => (maxActive = Math.max(maxActive, activePods('par').length)),
      update: () => (maxActive = Math.max(maxActive, activePods('par').length)),
    });
    await apply(jobYaml('par', 'completions: 6\nparallelism: 2', { seconds: 1 }));
    ok(await run('wait', '--for=condition=complete', 'job/par', '--timeout=60s'), 'kubectl wait complete');
    assert.equal(maxActive, 2, 'at most (and at some point exactly) two active pods');

    const j = await job('par');
    assert.equal(j.status.succeeded, 6);
    assert.equal(j.status.active ?? 0, 0);
    assert.equal(j.status.failed ?? 0, 0);
    assert.equal(j.status.ready, 0);
    assert.equal(j.status.terminating, 0);
    assert.deepEqual(j.status.uncountedTerminatedPods, {});
    assert.ok(j.status.startTime && j.status.completionTime);
    for (const type of ['SuccessCriteriaMet', 'Complete'])
      assert.deepEqual(
        (({ status, reason, message }) => ({ status, reason, message }))(condition(j, type)!),
        {
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
        },
        type,
      );
    const table = await kc('get', 'job', 'par');
    assert.match(table, /^par\s+Complete\s+6\/6\s/m);

    const mine = podsOf('par');
    assert.equal(mine.length, 6);
    for (const p of mine) {
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/controller-uid'], j.metadata.uid);
      assert.equal(p.metadata.labels?.['controller-uid'], j.metadata.uid);
      assert.equal(p.metadata.labels?.['job-name'], 'par');
      assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'Job');
      assert.ok(
        !p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking'),
        'tracking finalizer removed',
      );
    }
    await until('job events', async () => {
      const ev = await eventsOf('par');
      return (
        ev.filter((e) => e.reason === 'SuccessfulCreate' && /^Created pod: par-/.test(e.message)).length ===
          6 &&
        ev.some((e) => e.reason === 'Completed' && e.message === 'Job completed' && e.type === 'Normal')
      );
    });
  });

  it('fails with BackoffLimitExceeded after backoffLimit+1 failed pods', async () => {
    await apply(jobYaml('fails', 'backoffLimit: 2', { seconds: 1, exitCode: 1 }));
    ok(await run('wait', '--for=condition=failed', 'job/fails', '--timeout=60s'), 'kubectl wait failed');
    const j = await job('fails');
    assert.equal(j.status.failed, 3);
    assert.equal(j.status.succeeded ?? 0, 0);
    const failed = condition(j, 'Failed')!;
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    assert.equal(condition(j, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(podsOf('fails').length, 3, 'a new pod per failure, no more');
    assert.match(await kc('get', 'job', 'fails'), /^fails\s+Failed\s+0\/1\s/m);
    await until('BackoffLimitExceeded event', async () =>
      (await eventsOf('fails')).some(
        (e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded' && e.message === failed.message,
      ),
    );
  });

  it('stops a Job that runs past activeDeadlineSeconds', async () => {
    await apply(
      jobYaml('deadline', 'activeDeadlineSeconds: 2\nparallelism: 2\ncompletions: 4', { seconds: 60 }),
    );
    await until('two pods running', () => activePods('deadline').length === 2);
    ok(await run('wait', '--for=condition=failed', 'job/deadline', '--timeout=30s'), 'kubectl wait failed');
    const j = await job('deadline');
    const failed = condition(j, 'Failed')!;
    assert.equal(failed.reason, 'DeadlineExceeded');
    assert.equal(failed.message, 'Job was active longer than specified deadline');
    assert.equal(j.status.active ?? 0, 0);
    assert.equal(j.status.failed, 2, 'the deleted running pods count as failed');
    await until('pods deleted', () => activePods('deadline').length === 0);
    await until('DeadlineExceeded event', async () =>
      (await eventsOf('deadline')).some((e) => e.type === 'Warning' && e.reason === 'DeadlineExceeded'),
    );
  });

  it('runs an Indexed Job: one pod per index, completedIndexes in compressed form', async () => {
    await apply(jobYaml('idx', 'completionMode: Indexed\ncompletions: 4\nparallelism: 2'));
    ok(await run('wait', '--for=condition=complete', 'job/idx', '--timeout=60s'), 'kubectl wait complete');
    const j = await job('idx');
    assert.equal(j.status.completedIndexes, '0-3');
    assert.equal(j.status.succeeded, 4);
    const byIndex = new Map(
      podsOf('idx').map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p]),
    );
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2', '3']);
    for (const [ix, p] of byIndex) {
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], ix);
      assert.equal(p.spec?.hostname, `idx-${ix}`);
      assert.match(p.metadata.name, new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      const env = p.spec?.containers[0]?.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
      assert.equal(
        env?.valueFrom?.fieldRef?.fieldPath,
        "metadata.labels['batch.kubernetes.io/job-completion-index']",
      );
    }
  });

  it('fails the Job at once when a pod failure policy FailJob rule matches the exit code', async () => {
    await apply(
      jobYaml(
        'pfp',
        `backoffLimit: 6
podFailurePolicy:
  rules:
  - action: Ignore
    onExitCodes:
      operator: In
      values: [3]
  - action: FailJob
    onExitCodes:
      containerName: main
      operator: In
      values: [42]`,
        { seconds: 1, exitCode: 42 },
      ),
    );
    ok(await run('wait', '--for=condition=failed', 'job/pfp', '--timeout=30s'), 'kubectl wait failed');
    const j = await job('pfp');
    const pod = podsOf('pfp');
    assert.equal(pod.length, 1, 'no replacement pod');
    const failed = condition(j, 'Failed')!;
    assert.equal(failed.reason, 'PodFailurePolicy');
    assert.equal(
      failed.message,
      `Container main for pod default/${pod[0]!.metadata.name} failed with exit code 42 matching FailJob rule at index 1`,
    );
    assert.equal(j.status.failed, 1);
  });

  it('suspends (deleting active pods) and resumes a Job', async () => {
    await apply(jobYaml('sus', 'parallelism: 2\ncompletions: 2\nsuspend: true', { seconds: 30 }));
    await until(
      'Suspended condition',
      async () => condition(await job('sus'), 'Suspended')?.status === 'True',
    );
    let j = await job('sus');
    assert.equal(condition(j, 'Suspended')?.reason, 'JobSuspended');
    assert.equal(condition(j, 'Suspended')?.message, 'Job suspended');
    assert.equal(j.status.startTime, undefined);
    assert.equal(podsOf('sus').length, 0);
    assert.match(await kc('get', 'job', 'sus'), /^sus\s+Suspended\s/m);

    await kc('patch', 'job', 'sus', '--type=merge', '-p', '{"spec":{"suspend":false}}');
    await until('two pods after resume', () => activePods('sus').length === 2);
    await until(
      'resumed condition',
      async () => condition(await job('sus'), 'Suspended')?.status === 'False',
    );
    j = await job('sus');
    assert.equal(condition(j, 'Suspended')?.reason, 'JobResumed');
    assert.ok(j.status.startTime);

    await kc('patch', 'job', 'sus', '--type=merge', '-p', '{"spec":{"suspend":true}}');
    await until('active pods deleted', () => activePods('sus').length === 0);
    await until('status.active 0', async () => ((await job('sus')).status.active ?? 0) === 0);
    j = await job('sus');
    assert.equal(condition(j, 'Suspended')?.status, 'True');
    assert.equal(j.status.failed ?? 0, 0, 'pods removed by suspension are not failures');
    const reasons = (await eventsOf('sus')).map((e) => e.reason);
    for (const r of ['Suspended', 'Resumed', 'SuccessfulDelete']) assert.ok(reasons.includes(r), r);
  });

  it('releases the tracking finalizer of the pods of a deleted Job', async () => {
    await apply(jobYaml('gone', 'parallelism: 2\ncompletions: 2', { seconds: 60 }));
    await until('two pods', () => activePods('gone').length === 2);
    const tracked = (p: Pod) => p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking') ?? false;
    assert.ok(podsOf('gone').every(tracked));
    await kc('delete', 'job', 'gone', '--wait=false');
    // The pods are left to the garbage collector (or linger without one), but no longer block deletion.
    await until('finalizers released', () => !podsOf('gone').some(tracked));
  });

  it('deletes a finished Job once ttlSecondsAfterFinished has passed', async () => {
    await apply(jobYaml('ttl', 'ttlSecondsAfterFinished: 1', { seconds: 1 }));
    ok(await run('wait', '--for=condition=complete', 'job/ttl', '--timeout=30s'), 'kubectl wait complete');
    // Foreground deletion: the garbage collector removes the pods, then the Job. Until it runs here,
    // the Job stays marked for deletion with the foregroundDeletion finalizer.
    await until(
      'job deleted',
      async () => {
        const r = await run('get', 'job', 'ttl', '-o', 'json');
        if (r.code !== 0) return /not found/.test(r.stderr);
        const j = JSON.parse(r.stdout) as JobView;
        return (
          Boolean(j.metadata.deletionTimestamp) &&
          (j.metadata.finalizers ?? []).includes('foregroundDeletion')
        );
      },
      20_000,
    );
  });
});
