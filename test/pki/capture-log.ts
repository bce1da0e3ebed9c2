import type { Fields, Logger } from '../../src/util/log.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Fields;
}

/** A Logger that keeps its entries in memory, so tests stay quiet and can assert on what was logged. */
export function captureLog(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const make = (base: Fields): Logger => ({
    debug: (msg, fields) => entries.push({ level: 'debug', msg, fields: { ...base, ...fields } }),
    info: (msg, fields) => entries.push({ level: 'info', msg, fields: { ...base, ...fields } }),
    warn: (msg, fields) => entries.push({ level: 'warn', msg, fields: { ...base, ...fields } }),
    error: (msg, fields) => entries.push({ level: 'error', msg, fields: { ...base, ...fields } }),
    child: (fields) => make({ ...base, ...fields }),
  });
  return Object.assign(make({}), { entries });
}
