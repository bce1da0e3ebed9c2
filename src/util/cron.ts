/**
 * Cron schedules as Kubernetes' CronJobs read them (robfig/cron v3's ParseStandard): five fields —
 * minute, hour, day of month, month, day of week — each a list of `*`/`?`, numbers, names (JAN,
 * MON), ranges and steps; or a descriptor (@yearly, @annually, @monthly, @weekly, @daily,
 * @midnight, @hourly, @every <duration>). Error texts are robfig's, since the API server returns
 * them in its 422s. When both day fields are restricted a day matching either one fires, as in
 * Vixie cron.
 */
import { instantOf, isKnownTimeZone, wallClock } from './time-zone.js';

export class CronSyntaxError extends Error {}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: Object.fromEntries(
    ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((n, i) => [
      n,
      i + 1,
    ]),
  ),
};
const DOW: Bounds = {
  min: 0,
  max: 6,
  names: Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((n, i) => [n, i])),
};

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** robfig gives up looking for the next time this many years ahead. */
const YEAR_LIMIT = 5;

interface Field {
  values: Set<number>;
  /** Written as `*` or `?` (with step 1): matters for how the two day fields combine. */
  star: boolean;
}

export interface CronSchedule {
  /** The first time the schedule fires strictly after `afterMs` (ms since the epoch), if any within five years. */
  next(afterMs: number): number | undefined;
}

/** Go's strconv.Atoi as robfig reports it. */
function parseNumber(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr))
    throw new CronSyntaxError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`,
    );
  const n = Number(expr);
  if (!Number.isSafeInteger(n))
    throw new CronSyntaxError(
      `failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`,
    );
  if (n < 0) throw new CronSyntaxError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseNumberOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? parseNumber(expr);
}

function parseRange(expr: string, b: Bounds, into: Field): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseNumberOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseNumberOrName(lowAndHigh[1]!, b);
    else throw new CronSyntaxError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNumber(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronSyntaxError(`too many slashes: ${expr}`);
  if (start < b.min)
    throw new CronSyntaxError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronSyntaxError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end)
    throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronSyntaxError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.values.add(v);
  if (star) into.star = true;
}

function parseField(text: string, b: Bounds): Field {
  const f: Field = { values: new Set(), star: false };
  for (const part of text.split(',')) if (part) parseRange(part, b, f);
  return f;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration, in ms. */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (!s) throw new CronSyntaxError(`time: invalid duration ${quoted}`);
  let total = 0;
  while (s) {
    const num = /^(\d*)(\.\d*)?/.exec(s)!;
    if (!num[0] || num[0] === '.') throw new CronSyntaxError(`time: invalid duration ${quoted}`);
    s = s.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (!unit) throw new CronSyntaxError(`time: missing unit in duration ${quoted}`);
    const scale = DURATION_UNITS[unit];
    if (scale === undefined)
      throw new CronSyntaxError(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(num[0]) * scale;
    s = s.slice(unit.length);
  }
  return sign * total;
}

class SpecSchedule implements CronSchedule {
  constructor(
    private readonly minute: Field,
    private readonly hour: Field,
    private readonly dom: Field,
    private readonly month: Field,
    private readonly dow: Field,
    private readonly zone: string | undefined,
  ) {}

  private dayMatches(day: number, weekday: number): boolean {
    const domMatch = this.dom.values.has(day);
    const dowMatch = this.dow.values.has(weekday);
    return this.dom.star || this.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }

  next(afterMs: number): number | undefined {
    const zone = this.zone;
    let t = Math.floor(afterMs / 60_000) * 60_000 + 60_000;
    const limitYear = wallClock(afterMs, zone).year + YEAR_LIMIT;
    for (;;) {
      const w = wallClock(t, zone);
      if (w.year > limitYear) return undefined;
      let jump: number | undefined;
      if (!this.month.values.has(w.month)) jump = instantOf(w.year, w.month + 1, 1, 0, 0, zone);
      else if (!this.dayMatches(w.day, w.weekday)) jump = instantOf(w.year, w.month, w.day + 1, 0, 0, zone);
      else if (!this.hour.values.has(w.hour)) jump = instantOf(w.year, w.month, w.day, w.hour + 1, 0, zone);
      else if (!this.minute.values.has(w.minute)) jump = t + 60_000;
      if (jump === undefined) return t;
      t = jump > t ? jump : t + 60_000;
    }
  }
}

class EverySchedule implements CronSchedule {
  constructor(private readonly delayMs: number) {}

  next(afterMs: number): number {
    return Math.floor(afterMs / 1000) * 1000 + this.delayMs;
  }
}

/**
 * Parses a schedule; `timeZone` (an IANA name) is where the fields are read, the process's local zone
 * when absent, as kube-controller-manager does. A `TZ=`/`CRON_TZ=` prefix in the spec overrides it.
 */
export function parseCronSchedule(spec: string, timeZone?: string): CronSchedule {
  if (!spec) throw new CronSyntaxError('empty spec string');
  let zone = timeZone;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    if (space < 0) throw new CronSyntaxError(`invalid location descriptior: ${spec}`);
    zone = spec.slice(spec.indexOf('=') + 1, space);
    if (!isKnownTimeZone(zone) || zone.toLowerCase() === 'local')
      throw new CronSyntaxError(`provided bad location ${zone}: unknown time zone ${zone}`);
    spec = spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    const every = '@every ';
    if (spec.startsWith(every)) {
      let ms: number;
      try {
        ms = parseGoDuration(spec.slice(every.length));
      } catch (err) {
        throw new CronSyntaxError(`failed to parse duration ${spec}: ${(err as Error).message}`);
      }
      return new EverySchedule(Math.max(1000, Math.floor(ms / 1000) * 1000));
    }
    const expanded = DESCRIPTORS[spec];
    if (!expanded) throw new CronSyntaxError(`unrecognized descriptor: ${spec}`);
    spec = expanded;
  }
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5)
    throw new CronSyntaxError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  return new SpecSchedule(
    parseField(minute, MINUTES),
    parseField(hour, HOURS),
    parseField(dom, DOM),
    parseField(month, MONTHS),
    parseField(dow, DOW),
    zone,
  );
}

/** robfig's error text for an invalid schedule, or undefined when it parses. */
export function cronScheduleError(spec: string): string | undefined {
  try {
    parseCronSchedule(spec);
    return undefined;
  } catch (err) {
    if (err instanceof CronSyntaxError) return err.message;
    throw err;
  }
}
