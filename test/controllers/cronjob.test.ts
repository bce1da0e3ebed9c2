/**
 * The CronJob controller in a real `k8ts server` with three nodes, driven by real kubectl 1.33:
 * schedule validation, `kubectl create job --from=cronjob/...`, history limits, and — with the one
 * wait for a minute boundary in this file — `* * * * *` CronJobs firing (in UTC and in a time zone)
 * while a suspended one does not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indented, podTemplateYaml } from '../support/batch-manifests.js';
import { startCluster } from '../support/cluster.js';
import type { RunningCluster } from '../support/cluster.js';
import { fails, findKubectls, kubectl, ok } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { until } from '../support/wait.js';

const k = findKubectls([33])[0]!;

interface JobView {
  metadata: {
    name: string;
    uid: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
  status: { conditions?: { type: string; status: string }[] };
}
interface CronJobView {
  metadata: { uid: string };
  status: {
    active?: { name: string; uid: string }[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}
interface EventView {
  involvedObject: { name: string };
  reason: string;
  message: string;
}

function cronJobYaml(name: string, spec: string, opts: { exitCode?: number } = {}): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
${indented(spec, 2)}
  jobTemplate:
    metadata:
      labels:
        cron: ${name}
    spec:
      backoffLimit: 0
${podTemplateYaml(6, { seconds: 1, exitCode: opts.exitCode })}`;
}

describe('cronjob controller', () => {
  let cluster: RunningCluster;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, cluster.kubeconfig, cache.dir, args);
  const kc = async (...args: string[]) => ok(await run(...args), `kubectl ${args.join(' ')}`);
  const apply = (yaml: string) => kubectl(k, cluster.kubeconfig, cache.dir, ['apply', '-f', '-'], yaml);
  const jobs = async () => (JSON.parse(await kc('get', 'jobs', '-o', 'json')) as { items: JobView[] }).items;
  const cronJob = async (name: string) =>
    JSON.parse(await kc('get', 'cronjob', name, '-o', 'json')) as CronJobView;
  const finished = (j: JobView, type: string) =>
    j.status.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  const eventsOf = async (name: string) =>
    (JSON.parse(await kc('get', 'events', '-o', 'json')) as { items: EventView[] }).items.filter(
      (e) => e.involvedObject.name === name,
    );

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    // Created first, so the minute boundary waited for at the end is as close as possible.
    ok(await apply(cronJobYaml('tick', 'schedule: "* * * * *"')), 'apply tick');
    ok(await apply(cronJobYaml('tokyo', 'schedule: "* * * * *"\ntimeZone: Asia/Tokyo')), 'apply tokyo');
    ok(await apply(cronJobYaml('paused', 'schedule: "* * * * *"\nsuspend: true')), 'apply paused');
  });
  after(async () => {
    await cluster?.stop();
    cache.remove();
  });

  it('rejects an invalid schedule or time zone with 422 and Kubernetes texts', async () => {
    const bad = fails(await apply(cronJobYaml('bad', 'schedule: "61 * * * *"')), 'bad schedule');
    assert.match(
      bad,
      /The CronJob "bad" is invalid: spec\.schedule: Invalid value: "61 \* \* \* \*": end of range \(61\) above maximum \(59\): 61/,
    );
    const fields = fails(
      await run('create', 'cronjob', 'bad', '--image=busybox', '--schedule=@often'),
      'descriptor',
    );
    assert.match(fields, /spec\.schedule: Invalid value: "@often": unrecognized descriptor: @often/);
    const tz = fails(
      await apply(cronJobYaml('bad', 'schedule: "0 3 * * *"\ntimeZone: Mars/Olympus')),
      'bad zone',
    );
    assert.match(tz, /spec\.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/);
    const prefixed = fails(await apply(cronJobYaml('bad', 'schedule: "CRON_TZ=UTC 0 3 * * *"')), 'TZ prefix');
    assert.match(prefixed, /cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);
  });

  it('runs a Job made with kubectl create job --from=cronjob/...', async () => {
    await kc('create', 'job', 'by-hand', '--from=cronjob/paused');
    await until('by-hand complete', async () =>
      (await jobs()).some((j) => j.metadata.name === 'by-hand' && finished(j, 'Complete')),
    );
    const j = (await jobs()).find((x) => x.metadata.name === 'by-hand')!;
    const paused = await cronJob('paused');
    assert.equal(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.deepEqual(
      j.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
      [['CronJob', 'paused', paused.metadata.uid, true]],
    );
  });

  it('keeps only successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs', async () => {
    ok(
      await apply(cronJobYaml('hist', 'schedule: "0 0 1 1 *"\nsuspend: true\nsuccessfulJobsHistoryLimit: 1')),
      'apply hist',
    );
    ok(
      await apply(
        cronJobYaml('histfail', 'schedule: "0 0 1 1 *"\nsuspend: true\nfailedJobsHistoryLimit: 0', {
          exitCode: 1,
        }),
      ),
      'apply histfail',
    );
    for (const name of ['hist-a', 'hist-b', 'hist-c']) await kc('create', 'job', name, '--from=cronjob/hist');
    await kc('create', 'job', 'histfail-a', '--from=cronjob/histfail');
    await until(
      'history trimmed',
      async () => {
        const names = (await jobs()).map((j) => j.metadata.name).filter((n) => n.startsWith('hist'));
        return JSON.stringify(names.sort()) === JSON.stringify(['hist-c']);
      },
      20_000,
    );
    const deleted = (await eventsOf('hist'))
      .filter((e) => e.reason === 'SuccessfulDelete')
      .map((e) => e.message);
    assert.deepEqual(deleted.sort(), ['Deleted job hist-a', 'Deleted job hist-b']);
    assert.ok((await eventsOf('histfail')).some((e) => e.message === 'Deleted job histfail-a'));
  });

  it('creates a Job at each minute boundary for "* * * * *", in the time zone given; not when suspended', async () => {
    let tick: JobView | undefined;
    let tokyo: JobView | undefined;
    await until(
      'scheduled jobs created',
      async () => {
        const all = await jobs();
        tick = all.find((j) => /^tick-\d+$/.test(j.metadata.name));
        tokyo = all.find((j) => /^tokyo-\d+$/.test(j.metadata.name));
        return Boolean(tick && tokyo);
      },
      70_000,
    );
    const minutes = Number(tick!.metadata.name.slice('tick-'.length));
    const scheduled = new Date(minutes * 60_000);
    assert.equal(
      tick!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      scheduled.toISOString().replace('.000Z', 'Z'),
    );
    const tokyoStamp = tokyo!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] ?? '';
    assert.match(tokyoStamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+09:00$/);
    assert.equal(Date.parse(tokyoStamp) % 60_000, 0);
    const cj = await cronJob('tick');
    assert.deepEqual(
      tick!.metadata.ownerReferences?.map((r) => [r.kind, r.uid]),
      [['CronJob', cj.metadata.uid]],
    );

    await until('job finished and seen', async () => {
      const c = await cronJob('tick');
      return (c.status.active ?? []).length === 0 && Boolean(c.status.lastSuccessfulTime);
    });
    const status = (await cronJob('tick')).status;
    assert.equal(status.lastScheduleTime, scheduled.toISOString().replace('.000Z', 'Z'));
    const events = await eventsOf('tick');
    assert.ok(
      events.some(
        (e) => e.reason === 'SuccessfulCreate' && e.message === `Created job ${tick!.metadata.name}`,
      ),
    );
    assert.ok(
      events.some(
        (e) =>
          e.reason === 'SawCompletedJob' &&
          e.message === `Saw completed job: ${tick!.metadata.name}, status: Complete`,
      ),
    );
    const table = await kc('get', 'cronjob', 'tokyo');
    assert.match(table, /^tokyo\s+\* \* \* \* \*\s+Asia\/Tokyo\s+False\s+\d\s+\d+s\s/m);

    const paused = await cronJob('paused');
    assert.equal(paused.status.lastScheduleTime, undefined);
    assert.ok(!(await jobs()).some((j) => /^paused-\d+$/.test(j.metadata.name)));
  });
});
