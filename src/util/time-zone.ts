/**
 * Wall-clock time in IANA time zones through Intl (Node's built-in ICU data), for CronJob schedules:
 * what the clock on the wall says at an instant, which instant a wall-clock time is, and Go's
 * RFC 3339 / RFC 1123Z renderings with the zone's offset.
 */
export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** `zone` undefined means the process's local zone (as Go's time.Local). */
function formatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, f);
  }
  return f;
}

/** Whether `name` is a zone the runtime knows (Intl also accepts aliases such as `UTC` or `US/Eastern`). */
export function isKnownTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

export function wallClock(ms: number, zone?: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const year = parts['year']!;
  const month = parts['month']!;
  const day = parts['day']!;
  return {
    year,
    month,
    day,
    hour: parts['hour']!,
    minute: parts['minute']!,
    second: parts['second']!,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** The zone's offset from UTC at `ms`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(ms: number, zone?: string): number {
  const w = wallClock(ms, zone);
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wallAsUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant the zone's clocks show year-month-day hour:minute (out-of-range fields roll over, as
 * Date.UTC does). In an autumn overlap the earlier instant; in a spring gap the first instant after
 * the gap that corresponds to the requested time shifted by the jump.
 */
export function instantOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone?: string,
): number {
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  // The offsets in force a day either side cover both sides of any transition near this time.
  const offsets = new Set([zoneOffsetMs(wallAsUtc - DAY_MS, zone), zoneOffsetMs(wallAsUtc + DAY_MS, zone)]);
  const candidates = [...offsets].map((offset) => wallAsUtc - offset);
  const exact = candidates.filter((c) => {
    const w = wallClock(c, zone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) === wallAsUtc;
  });
  return exact.length ? Math.min(...exact) : Math.max(...candidates);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function offsetText(offsetMs: number, colon: boolean): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}${colon ? ':' : ''}${pad(minutes % 60)}`;
}

/** Go's time.RFC3339 in `zone`: `2024-03-10T01:30:00-05:00`, or `...Z` when the offset is zero. */
export function formatRFC3339(ms: number, zone?: string): string {
  const w = wallClock(ms, zone);
  const offset = zoneOffsetMs(ms, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${offset === 0 ? 'Z' : offsetText(offset, true)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function formatRFC1123Z(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
