/**
 * The cron parser (robfig/cron's syntax and error texts), next-time computation in time zones and
 * across DST, and the CronJob controller's decisions with an injected clock: missed start times,
 * startingDeadlineSeconds, concurrencyPolicy, job names and the scheduled-timestamp annotation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateCronSchedule, validateTimeZone } from '../../src/api/builtin/batch-validation.js';
import type { CronJob } from '../../src/client/objects.js';
import {
  SCHEDULED_TIMESTAMP_ANNOTATION,
  jobFromTemplate,
} from '../../src/controllers/cronjob/cronjob-controller.js';
import {
  InvalidScheduleError,
  decideRun,
  jobNameFor,
  mostRecentScheduleTime,
  nextScheduleDelayMs,
} from '../../src/controllers/cronjob/scheduling.js';
import { cronScheduleError, parseCronSchedule } from '../../src/util/cron.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The next `count` fire times after `from`, as ISO strings. */
function nextTimes(spec: string, from: string, count = 1, zone = 'UTC'): (string | undefined)[] {
  const s = parseCronSchedule(spec, zone);
  const out: (string | undefined)[] = [];
  let t: number | undefined = at(from);
  for (let i = 0; i < count && t !== undefined; i++) out.push(iso((t = s.next(t))));
  return out;
}

describe('cron schedule parsing', () => {
  it("rejects bad schedules with robfig/cron's messages", () => {
    const cases: [string, string][] = [
      ['', 'empty spec string'],
      ['foo', 'expected exactly 5 fields, found 1: [foo]'],
      ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
      ['61 * * * *', 'end of range (61) above maximum (59): 61'],
      ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
      ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
      ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
      ['* * * * 7', 'end of range (7) above maximum (6): 7'],
      ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
      ['*/0 * * * *', 'step of range should be a positive number: */0'],
      ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
      ['1/2/3 * * * *', 'too many slashes: 1/2/3'],
      ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
      ['* * * FOO *', 'failed to parse int from FOO: strconv.Atoi: parsing "FOO": invalid syntax'],
      ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
      ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ];
    for (const [spec, message] of cases) assert.equal(cronScheduleError(spec), message, spec);
    for (const ok of ['* * * * *', '*/5 1-3,7 ? JAN-mar mon-FRI', '@every 1h30m', 'CRON_TZ=UTC 0 * * * *'])
      assert.equal(cronScheduleError(ok), undefined, ok);
  });

  it('computes next times for ranges, steps, lists and names', () => {
    assert.deepEqual(nextTimes('*/15 * * * *', '2024-05-01T10:07:30Z', 3), [
      '2024-05-01T10:15:00.000Z',
      '2024-05-01T10:30:00.000Z',
      '2024-05-01T10:45:00.000Z',
    ]);
    assert.deepEqual(nextTimes('0,30 8-9 * * *', '2024-05-01T09:30:00Z', 3), [
      '2024-05-02T08:00:00.000Z',
      '2024-05-02T08:30:00.000Z',
      '2024-05-02T09:00:00.000Z',
    ]);
    // 2024-05-04 is a Saturday.
    assert.deepEqual(nextTimes('0 9 * * MON-FRI', '2024-05-04T12:00:00Z'), ['2024-05-06T09:00:00.000Z']);
    assert.deepEqual(nextTimes('0 0 1 JAN,jul ?', '2024-05-04T12:00:00Z', 2), [
      '2024-07-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
    ]);
    // "N/step" means N to the maximum.
    assert.deepEqual(nextTimes('50/5 * * * *', '2024-05-01T10:52:00Z', 2), [
      '2024-05-01T10:55:00.000Z',
      '2024-05-01T11:50:00.000Z',
    ]);
  });

  it('fires on either day field when both are restricted, on both when one is *', () => {
    // Friday 2024-05-10 and Monday 2024-05-13.
    assert.deepEqual(nextTimes('0 0 13 * FRI', '2024-05-09T00:00:00Z', 3), [
      '2024-05-10T00:00:00.000Z',
      '2024-05-13T00:00:00.000Z',
      '2024-05-17T00:00:00.000Z',
    ]);
    assert.deepEqual(nextTimes('0 0 * * FRI', '2024-05-09T00:00:00Z', 2), [
      '2024-05-10T00:00:00.000Z',
      '2024-05-17T00:00:00.000Z',
    ]);
    // A step other than 1 is not "*": the 1st, 11th, 21st and 31st, or Mondays.
    assert.deepEqual(nextTimes('0 0 */10 * MON', '2024-05-01T12:00:00Z', 3), [
      '2024-05-06T00:00:00.000Z',
      '2024-05-11T00:00:00.000Z',
      '2024-05-13T00:00:00.000Z',
    ]);
  });

  it('expands the macros', () => {
    const from = '2024-05-15T10:20:30Z';
    assert.deepEqual(nextTimes('@yearly', from), ['2025-01-01T00:00:00.000Z']);
    assert.deepEqual(nextTimes('@annually', from), ['2025-01-01T00:00:00.000Z']);
    assert.deepEqual(nextTimes('@monthly', from), ['2024-06-01T00:00:00.000Z']);
    assert.deepEqual(nextTimes('@weekly', from), ['2024-05-19T00:00:00.000Z']);
    assert.deepEqual(nextTimes('@daily', from), ['2024-05-16T00:00:00.000Z']);
    assert.deepEqual(nextTimes('@midnight', from), ['2024-05-16T00:00:00.000Z']);
    assert.deepEqual(nextTimes('@hourly', from), ['2024-05-15T11:00:00.000Z']);
    assert.deepEqual(nextTimes('@every 90m', from), ['2024-05-15T11:50:30.000Z']);
  });

  it('reads the fields in the time zone, across daylight-saving changes', () => {
    // 09:00 in Tokyo is 00:00 UTC.
    assert.deepEqual(nextTimes('0 9 * * *', '2023-12-31T23:00:00Z', 1, 'Asia/Tokyo'), [
      '2024-01-01T00:00:00.000Z',
    ]);
    // New York moved from EST (-5) to EDT (-4) on 2024-03-10.
    assert.deepEqual(nextTimes('0 9 * * *', '2024-03-09T00:00:00Z', 3, 'America/New_York'), [
      '2024-03-09T14:00:00.000Z',
      '2024-03-10T13:00:00.000Z',
      '2024-03-11T13:00:00.000Z',
    ]);
    // 02:30 does not exist on the day clocks spring forward: that day has no run (as robfig/cron).
    assert.deepEqual(nextTimes('30 2 * * *', '2024-03-09T12:00:00Z', 2, 'America/New_York'), [
      '2024-03-11T06:30:00.000Z',
      '2024-03-12T06:30:00.000Z',
    ]);
    // Kathmandu is UTC+05:45.
    assert.deepEqual(nextTimes('0 * * * *', '2024-01-01T00:00:00Z', 1, 'Asia/Kathmandu'), [
      '2024-01-01T00:15:00.000Z',
    ]);
    // A TZ= prefix wins over the zone given.
    assert.deepEqual(
      nextTimes('CRON_TZ=Asia/Tokyo 0 9 * * *', '2023-12-31T23:00:00Z', 1, 'America/New_York'),
      ['2024-01-01T00:00:00.000Z'],
    );
  });

  it('finds nothing for a schedule that never fires', () => {
    assert.deepEqual(nextTimes('0 0 31 2 *', '2024-01-01T00:00:00Z'), [undefined]);
  });
});

describe('CronJob API validation', () => {
  it('rejects invalid schedules and TZ prefixes with Kubernetes texts', () => {
    assert.deepEqual(validateCronSchedule('61 * * * *', undefined, undefined), [
      {
        type: 'FieldValueInvalid',
        field: 'spec.schedule',
        detail: 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
      },
    ]);
    assert.match(
      validateCronSchedule('TZ=UTC * * * * *', undefined, undefined)[0]!.detail,
      /cannot use TZ or CRON_TZ in schedule, use timeZone field instead$/,
    );
    // An update may keep a TZ prefix it already had, but not add spec.timeZone beside it.
    assert.deepEqual(validateCronSchedule('TZ=UTC * * * * *', undefined, 'TZ=UTC 0 * * * *'), []);
    assert.match(
      validateCronSchedule('TZ=UTC * * * * *', 'UTC', 'TZ=UTC 0 * * * *')[0]!.detail,
      /cannot use both timeZone field and TZ or CRON_TZ in schedule$/,
    );
  });

  it('accepts IANA zones only', () => {
    assert.deepEqual(validateTimeZone('Europe/Paris'), []);
    assert.deepEqual(validateTimeZone('UTC'), []);
    assert.equal(
      validateTimeZone('Europe/Pariss')[0]?.detail,
      'Invalid value: "Europe/Pariss": unknown time zone Europe/Pariss',
    );
    assert.equal(
      validateTimeZone('')[0]?.detail,
      'Invalid value: "": timeZone must be nil or non-empty string',
    );
    assert.match(validateTimeZone('Local')[0]!.detail, /timeZone must be an explicit time zone/);
    assert.match(validateTimeZone('../etc/passwd')[0]!.detail, /unknown time zone/);
    assert.match(validateTimeZone('+05:00')[0]!.detail, /unknown time zone/);
  });
});

function cronJob(spec: Partial<NonNullable<CronJob['spec']>>, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'hello',
      namespace: 'default',
      uid: 'cj-uid',
      resourceVersion: '1',
      creationTimestamp: '2024-05-01T10:00:30Z',
    },
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: 'Allow',
      jobTemplate: {
        metadata: { labels: { app: 'hello' }, annotations: { note: 'x' } },
        spec: {
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
      ...spec,
    },
    status,
  };
}

describe('CronJob run decisions (injected clock)', () => {
  const everyMinute = parseCronSchedule('* * * * *', 'UTC');

  it('waits until the first start time after creation, then starts it', () => {
    const cj = cronJob({});
    const before = decideRun(cj, at('2024-05-01T10:00:50Z'), everyMinute);
    assert.deepEqual(before, { decision: { kind: 'wait', requeueAfterMs: 10_100 }, tooManyMissed: false });
    const due = decideRun(cj, at('2024-05-01T10:01:05Z'), everyMinute);
    assert.deepEqual(due, {
      decision: {
        kind: 'start',
        scheduledTime: at('2024-05-01T10:01:00Z'),
        replace: false,
        requeueAfterMs: 55_100,
      },
      tooManyMissed: false,
    });
    assert.equal(
      jobNameFor('hello', at('2024-05-01T10:01:00Z')),
      `hello-${at('2024-05-01T10:01:00Z') / 60_000}`,
    );
  });

  it('starts only the most recent of several missed times', () => {
    const cj = cronJob({}, { lastScheduleTime: '2024-05-01T10:01:00Z' });
    const r = mostRecentScheduleTime(cj, at('2024-05-01T10:05:30Z'), everyMinute, true);
    assert.deepEqual(r, {
      earliest: at('2024-05-01T10:01:00Z'),
      mostRecent: at('2024-05-01T10:05:00Z'),
      missed: 'few',
    });
    const d = decideRun(cj, at('2024-05-01T10:05:30Z'), everyMinute);
    assert.equal(d.decision.kind, 'start');
    assert.equal(d.tooManyMissed, false);
  });

  it('warns about more than 100 missed times, unless startingDeadlineSeconds limits the look-back', () => {
    const cj = cronJob({}, { lastScheduleTime: '2024-05-01T07:00:00Z' });
    const now = at('2024-05-01T10:05:30Z');
    const d = decideRun(cj, now, everyMinute);
    assert.equal(d.tooManyMissed, true);
    assert.equal(d.decision.kind, 'start');
    assert.equal(iso((d.decision as { scheduledTime: number }).scheduledTime), '2024-05-01T10:05:00.000Z');
    const limited = decideRun(cronJob({ startingDeadlineSeconds: 200 }, cj.status), now, everyMinute);
    assert.equal(limited.tooManyMissed, false);
    assert.equal(limited.decision.kind, 'start');
  });

  it('skips start times older than startingDeadlineSeconds', () => {
    const hourly = parseCronSchedule('0 * * * *', 'UTC');
    const cj = cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 60 });
    // 10:00 was due, but more than 60 s ago: nothing to start until 11:00.
    const d = decideRun(cj, at('2024-05-01T11:00:00.050Z') - 58 * 60_000, hourly);
    assert.equal(d.decision.kind, 'wait');
    const inTime = decideRun(cj, at('2024-05-01T11:00:30Z'), hourly);
    assert.equal(inTime.decision.kind, 'start');
  });

  it('does not start a time twice', () => {
    const cj = cronJob({}, { lastScheduleTime: '2024-05-01T10:01:00Z' });
    assert.equal(decideRun(cj, at('2024-05-01T10:01:40Z'), everyMinute).decision.kind, 'wait');
    const listed = cronJob(
      {},
      {
        active: [
          { kind: 'Job', namespace: 'default', name: jobNameFor('hello', at('2024-05-01T10:01:00Z')) },
        ],
      },
    );
    assert.equal(decideRun(listed, at('2024-05-01T10:01:40Z'), everyMinute).decision.kind, 'done');
  });

  it('applies concurrencyPolicy when a Job is still active', () => {
    const active = { active: [{ kind: 'Job', namespace: 'default', name: 'hello-1', uid: 'u1' }] };
    const now = at('2024-05-01T10:01:05Z');
    assert.deepEqual(decideRun(cronJob({ concurrencyPolicy: 'Forbid' }, active), now, everyMinute).decision, {
      kind: 'forbidden',
      scheduledTime: at('2024-05-01T10:01:00Z'),
      requeueAfterMs: 55_100,
    });
    const replace = decideRun(cronJob({ concurrencyPolicy: 'Replace' }, active), now, everyMinute).decision;
    assert.equal(replace.kind, 'start');
    assert.equal((replace as { replace: boolean }).replace, true);
    const allow = decideRun(cronJob({ concurrencyPolicy: 'Allow' }, active), now, everyMinute).decision;
    assert.equal((allow as { replace: boolean }).replace, false);
    // Forbid without an active Job starts normally.
    assert.equal(
      decideRun(cronJob({ concurrencyPolicy: 'Forbid' }), now, everyMinute).decision.kind,
      'start',
    );
  });

  it('reports a schedule that never fires as invalid', () => {
    assert.throws(
      () =>
        decideRun(
          cronJob({ schedule: '0 0 31 2 *' }),
          at('2024-05-01T10:01:05Z'),
          parseCronSchedule('0 0 31 2 *'),
        ),
      (err: Error) =>
        err instanceof InvalidScheduleError &&
        err.message === 'time difference between two schedules is less than 1 second',
    );
  });

  it('requeues for the next start time, 100 ms late', () => {
    const cj = cronJob({ schedule: '*/10 * * * *' }, { lastScheduleTime: '2024-05-01T10:10:00Z' });
    assert.equal(
      nextScheduleDelayMs(cj, at('2024-05-01T10:12:00Z'), parseCronSchedule('*/10 * * * *', 'UTC')),
      480_100,
    );
  });

  it('builds the Job: name, template labels and annotations, owner, scheduled timestamp in the zone', () => {
    const scheduled = at('2024-01-01T00:00:00Z');
    const plain = jobFromTemplate(cronJob({}), scheduled);
    assert.equal(plain.metadata.name, 'hello-28401120');
    assert.deepEqual(plain.metadata.labels, { app: 'hello' });
    assert.deepEqual(plain.metadata.annotations, {
      note: 'x',
      [SCHEDULED_TIMESTAMP_ANNOTATION]: '2024-01-01T00:00:00Z',
    });
    assert.deepEqual(plain.metadata.ownerReferences, [
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        name: 'hello',
        uid: 'cj-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const tokyo = jobFromTemplate(cronJob({ timeZone: 'Asia/Tokyo' }), scheduled);
    assert.equal(tokyo.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], '2024-01-01T09:00:00+09:00');
  });
});
