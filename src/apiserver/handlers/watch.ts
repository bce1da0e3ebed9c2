/**
 * Watch: a chunked stream of `{"type": ..., "object": ...}` lines. resourceVersion unset or "0" starts
 * with the current state as ADDED events; a number starts after it; history that is gone ends the stream
 * with an ERROR event carrying 410 Expired. Bookmarks (when allowed) and keep-alive bookmarks on quiet
 * streams keep clients whose readers time out (client-node's 30 s timer) from dropping the connection.
 */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { groupVersion } from '../../api/types.js';
import { drained, writeChunk } from '../http/io.js';
import { chooseFormat } from '../http/negotiate.js';
import type { ResourceContext } from './resources.js';
import { buildFilter } from './selectors.js';
import { includeObjectOf, toTable } from './table.js';

/**
 * The JSON of objects that watches share (one store event goes to every watcher of its resource), so
 * each is serialized once however many watchers send it.
 */
const sharedJson = new WeakMap<object, string>();

function jsonOf(obj: StoredObject): string {
  let json = sharedJson.get(obj);
  if (json === undefined) sharedJson.set(obj, (json = JSON.stringify(obj)));
  return json;
}

/** How often a watch gets a bookmark or keep-alive line. */
export const BOOKMARK_INTERVAL_MS = 10_000;
const MIN_REQUEST_TIMEOUT_S = 1800;

export async function serveWatch(ctx: ResourceContext): Promise<void> {
  const q = ctx.url.searchParams;
  const f = chooseFormat(ctx.req.headers['accept']);
  if (!f)
    throw E.notAcceptable('only the following media types are accepted: application/json, application/yaml');
  const filter = buildFilter(ctx.def, q);
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam && !/^\d+$/.test(rvParam)) throw E.badRequest(`invalid resource version: ${rvParam}`);
  const include = f.kind === 'table' ? includeObjectOf(q) : 'Object';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const timeoutParam = q.get('timeoutSeconds');
  const timeoutS = timeoutParam ? Number(timeoutParam) : MIN_REQUEST_TIMEOUT_S * (1 + Math.random());
  const namespace = ctx.def.namespaced ? ctx.info.namespace || undefined : undefined;

  // The initial state for an unset or "0" resourceVersion, then changes after its revision.
  let initial: StoredObject[] = [];
  let from: number;
  if (rvParam === '' || rvParam === '0') {
    const snapshot = await ctx.objects.list(ctx.def, namespace, { filter });
    initial = snapshot.items;
    from = Number(snapshot.resourceVersion);
  } else {
    from = Number(rvParam);
  }

  const abort = new AbortController();
  const stop = () => abort.abort();
  ctx.req.on('close', stop);
  ctx.shutdown.addEventListener('abort', stop);
  const timer = setTimeout(stop, timeoutS * 1000);
  const contentType = f.kind === 'table' ? f.contentType : 'application/json';
  ctx.res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache, private' });
  let first = true;
  const write = (type: string, obj: unknown) =>
    writeChunk(ctx.res, `${JSON.stringify({ type, object: obj })}\n`);
  /** False when the client is behind: await drained() before the next event. */
  const emit = (type: string, obj: StoredObject): boolean => {
    if (f.kind === 'table') {
      const table = toTable(ctx.def, [obj], { version: f.version, include, withColumns: first });
      first = false;
      return write(type, table);
    }
    return writeChunk(ctx.res, `{"type":${JSON.stringify(type)},"object":${jsonOf(obj)}}\n`);
  };
  let lastRevision = from;
  // A quiet stream gets a bookmark when the client allows them, else a blank line, which kubectl and
  // client-node skip; either way idle readers and proxies see traffic.
  const bookmark = () => {
    if (bookmarks)
      write('BOOKMARK', {
        kind: ctx.def.kind,
        apiVersion: groupVersion(ctx.def),
        metadata: { resourceVersion: String(lastRevision) },
      });
    else writeChunk(ctx.res, '\n');
  };
  const keepAlive = setInterval(bookmark, BOOKMARK_INTERVAL_MS);
  try {
    // A client that reads slower than events arrive holds the next event back here (await drained);
    // the store's watch queue keeps what it misses meanwhile, and cuts it off if it falls too far behind.
    for (const obj of initial) if (!emit('ADDED', obj)) await drained(ctx.res, abort.signal);
    for await (const ev of ctx.objects.watch(ctx.def, namespace, from, filter, abort.signal)) {
      lastRevision = ev.revision;
      if (!emit(ev.type, ev.object)) await drained(ctx.res, abort.signal);
    }
  } catch (err) {
    if (!abort.signal.aborted) {
      const status = E.isStatusError(err) ? err : E.internalError(String(err));
      write('ERROR', status.toStatus());
    }
  } finally {
    clearTimeout(timer);
    clearInterval(keepAlive);
    ctx.req.off('close', stop);
    ctx.shutdown.removeEventListener('abort', stop);
    ctx.res.end();
  }
}
