/** Validation shared by Jobs and CronJobs' job templates, and the CronJob schedule and time zone. */
import type { FieldError } from '../../apimachinery/errors.js';
import { invalidValue, notSupported, required } from '../../apimachinery/meta.js';
import { cronScheduleError } from '../../util/cron.js';
import { isKnownTimeZone } from '../../util/time-zone.js';
import { at, text } from '../printing.js';

export function nonNegative(value: unknown, field: string): FieldError[] {
  return typeof value === 'number' && value < 0
    ? [invalidValue(field, value, 'must be greater than or equal to 0')]
    : [];
}

/** The checks of a JobSpec that do not depend on the selector (a Job's or a CronJob's template). */
export function validateJobSpec(spec: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
    'ttlSecondsAfterFinished',
  ])
    errs.push(...nonNegative(spec[f], `${path}.${f}`));
  const mode = spec['completionMode'];
  if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed')
    errs.push(notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed' && spec['completions'] === undefined)
    errs.push(required(`${path}.completions`, 'when completion mode is Indexed'));
  const restartPolicy = at(spec, 'template.spec.restartPolicy');
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never')
    errs.push(notSupported(`${path}.template.spec.restartPolicy`, restartPolicy, ['OnFailure', 'Never']));
  else if (spec['podFailurePolicy'] !== undefined && restartPolicy !== 'Never')
    errs.push(
      invalidValue(
        `${path}.template.spec.restartPolicy`,
        restartPolicy,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  return errs;
}

/**
 * robfig/cron's verdict on the schedule, and the rule against TZ=/CRON_TZ= prefixes (tolerated
 * only on updates of a CronJob that already had one, and never together with spec.timeZone).
 */
export function validateCronSchedule(
  schedule: string,
  timeZone: unknown,
  oldSchedule: string | undefined,
): FieldError[] {
  const errs: FieldError[] = [];
  const err = cronScheduleError(schedule);
  if (err) errs.push(invalidValue('spec.schedule', schedule, err));
  const allowTZ = oldSchedule?.includes('TZ') ?? false;
  if (allowTZ && schedule.includes('TZ') && timeZone !== undefined && timeZone !== null)
    errs.push(
      invalidValue('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'),
    );
  else if (!allowTZ && schedule.includes('TZ'))
    errs.push(
      invalidValue(
        'spec.schedule',
        schedule,
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    );
  return errs;
}

/** IANA names only (tz naming rules, with digits and + for legacy names), and never `Local`. */
const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

export function validateTimeZone(timeZone: unknown): FieldError[] {
  const tz = text(timeZone);
  if (tz === '') return [invalidValue('spec.timeZone', tz, 'timeZone must be nil or non-empty string')];
  for (const part of tz.split('/'))
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part))
      return [invalidValue('spec.timeZone', tz, `unknown time zone ${tz}`)];
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local')
    errs.push(
      invalidValue(
        'spec.timeZone',
        tz,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    );
  else if (!isKnownTimeZone(tz)) errs.push(invalidValue('spec.timeZone', tz, `unknown time zone ${tz}`));
  return errs;
}
