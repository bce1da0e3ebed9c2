/**
 * Structured logs: one JSON object per line on stderr, always with the component that wrote it.
 * K8TS_LOG_LEVEL=debug|info|warn|error picks the threshold (default info).
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function threshold(): number {
  const env = process.env['K8TS_LOG_LEVEL'] as Level | undefined;
  return order[env ?? 'info'] ?? order.info;
}

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

function errorFields(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? v.message : v;
  return out;
}

export function logger(component: string, base: Fields = {}): Logger {
  const emit = (level: Level, msg: string, fields: Fields = {}) => {
    if (order[level] < threshold()) return;
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...base, ...errorFields(fields) })}\n`,
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => logger(component, { ...base, ...f }),
  };
}
