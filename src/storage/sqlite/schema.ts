/**
 * The SQLite layout. Keys are BLOBs of UTF-8 so that comparisons are byte order, as in etcd, and a
 * prefix is the range [prefix, prefixEnd(prefix)).
 *
 *   log  — one row per revision: a put (value set) or a delete (tombstone, deleted = 1).
 *          prev_rev points at the row this write replaced, which is how events carry prev values.
 *   live — each existing key and the revision of its latest write.
 *   meta — the compacted revision.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  rev        INTEGER PRIMARY KEY,
  key        BLOB    NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev   INTEGER NOT NULL,
  deleted    INTEGER NOT NULL,
  value      BLOB
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS live (key BLOB PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

export interface LogRow {
  rev: number;
  key: Buffer;
  create_rev: number;
  prev_rev: number;
  deleted: number;
  value: Buffer | null;
}

const ROW = 'l.rev, l.key, l.create_rev, l.prev_rev, l.deleted, l.value';

/** The latest live row of each key in a range as of revision @at (a snapshot in the past). */
const AT = (cond: string) => `
SELECT ${ROW} FROM log l JOIN (
  SELECT MAX(rev) AS r FROM log WHERE ${cond} AND rev <= @at GROUP BY key
) m ON l.rev = m.r WHERE l.deleted = 0 ORDER BY l.key LIMIT @limit`;

const HISTORY = (cond: string) => `
SELECT ${ROW}, p.rev AS p_rev, p.create_rev AS p_create_rev, p.value AS p_value
FROM log l LEFT JOIN log p ON p.rev = l.prev_rev
WHERE l.rev > ? AND ${cond} ORDER BY l.rev`;

export const SQL = {
  getMeta: 'SELECT value FROM meta WHERE name = ?',
  setMeta:
    'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  maxRev: 'SELECT MAX(rev) AS rev FROM log',
  getLive: `SELECT ${ROW} FROM live JOIN log l ON l.rev = live.rev WHERE live.key = ?`,
  listLive: `SELECT ${ROW} FROM live JOIN log l ON l.rev = live.rev
             WHERE live.key >= ? AND live.key < ? ORDER BY live.key LIMIT ?`,
  listLiveOpen: `SELECT ${ROW} FROM live JOIN log l ON l.rev = live.rev
                 WHERE live.key >= ? ORDER BY live.key LIMIT ?`,
  listAt: AT('key >= @start AND key < @end'),
  listAtOpen: AT('key >= @start'),
  historyAfter: HISTORY('l.key >= ? AND l.key < ?'),
  historyAfterOpen: HISTORY('l.key >= ?'),
  insertLog: 'INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?, ?)',
  upsertLive: 'INSERT INTO live (key, rev) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET rev = excluded.rev',
  deleteLive: 'DELETE FROM live WHERE key = ?',
  minRev: 'SELECT MIN(rev) AS rev FROM log',
  /** Rows in (@lo, @hi] that a later write at or before the compaction revision @c replaced. */
  compactSuperseded: `DELETE FROM log WHERE rev > @lo AND rev <= @hi AND EXISTS (
    SELECT 1 FROM log n WHERE n.key = log.key AND n.rev > log.rev AND n.rev <= @c)`,
  /** Tombstones in (@lo, @hi]: the key is gone at the compaction revision, and nothing reads before it. */
  compactTombstones: 'DELETE FROM log WHERE rev > @lo AND rev <= @hi AND deleted = 1',
} as const;
