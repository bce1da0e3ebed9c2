/**
 * A typed REST client for any resource: get, list, create, update, patch, delete and watch, with
 * failures as StatusError values carrying the server's Status (reason, message, details).
 */
import { StatusError } from '../apimachinery/errors.js';
import type { Status, StatusReason } from '../apimachinery/errors.js';
import type { KubeObject, StoredObject } from '../apimachinery/meta.js';
import type { ClientConfig } from './config.js';
import { Transport } from './transport.js';
import type { HttpResponse } from './transport.js';

/** The facts about a resource a client needs to address it (a ResourceDefinition has them all). */
export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ObjectList<T> {
  items: T[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  subresource?: string;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: T;
}

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A Status (a response body, or a watch ERROR event's object) as a StatusError. */
function fromStatus(s: Partial<Status>, code: number): StatusError {
  const c = s.code ?? code;
  return new StatusError(c, s.reason ?? REASONS[c] ?? 'InternalError', s.message ?? '', s.details);
}

/** A Status body (or any failed response) as a StatusError. */
export function statusErrorOf(code: number, body: Buffer | string): StatusError {
  const text = body.toString();
  try {
    const s = JSON.parse(text) as Partial<Status>;
    if (s.kind === 'Status') return fromStatus(s, code);
  } catch {
    // not JSON: fall through to the text
  }
  return new StatusError(code, REASONS[code] ?? 'InternalError', text.trim() || `HTTP ${code}`);
}

/** `/api/v1/namespaces/ns/pods/name/status`-style paths. */
export function resourcePath(
  type: ResourceType,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  let p = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  if (type.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${type.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class RestClient {
  readonly transport: Transport;

  constructor(readonly config: ClientConfig) {
    this.transport = new Transport(config);
  }

  private async json<T>(res: HttpResponse): Promise<T> {
    if (res.status >= 300) throw statusErrorOf(res.status, res.body);
    return JSON.parse(res.body.toString()) as T;
  }

  /** GET of a non-resource path (discovery, /version, ...) as JSON. */
  async getPath<T>(path: string): Promise<T> {
    return this.json<T>(await this.transport.request({ method: 'GET', path }));
  }

  async get<T extends KubeObject = StoredObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    subresource?: string,
  ): Promise<T> {
    const res = await this.transport.request({
      method: 'GET',
      path: resourcePath(type, namespace, name, subresource),
    });
    return this.json<T>(res);
  }

  async list<T extends KubeObject = StoredObject>(
    type: ResourceType,
    opts: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const { namespace, ...params } = opts;
    const res = await this.transport.request({
      method: 'GET',
      path: resourcePath(type, namespace) + query({ ...params }),
    });
    return this.json<ObjectList<T>>(res);
  }

  /** The pages of a list one by one, all read at one consistent resourceVersion. */
  async *listPages<T extends KubeObject = StoredObject>(
    type: ResourceType,
    opts: ListOptions = {},
    pageSize = 500,
  ): AsyncGenerator<ObjectList<T>> {
    let page = await this.list<T>(type, { ...opts, limit: pageSize });
    yield page;
    while (page.metadata.continue) {
      page = await this.list<T>(type, {
        ...opts,
        resourceVersion: undefined,
        limit: pageSize,
        continue: page.metadata.continue,
      });
      yield page;
    }
  }

  /** Every page of a list, read at one consistent resourceVersion. */
  async listAll<T extends KubeObject = StoredObject>(
    type: ResourceType,
    opts: ListOptions = {},
    pageSize = 500,
  ): Promise<ObjectList<T>> {
    const items: T[] = [];
    let resourceVersion = '';
    for await (const page of this.listPages<T>(type, opts, pageSize)) {
      items.push(...page.items);
      resourceVersion = page.metadata.resourceVersion;
    }
    return { items, metadata: { resourceVersion } };
  }

  async create<T extends KubeObject = StoredObject>(
    type: ResourceType,
    namespace: string | undefined,
    obj: KubeObject,
    opts: WriteOptions & { name?: string } = {},
  ): Promise<T> {
    const res = await this.transport.request({
      method: 'POST',
      path:
        resourcePath(type, namespace, opts.name, opts.subresource) +
        query({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager }),
      body: JSON.stringify(obj),
      contentType: 'application/json',
    });
    return this.json<T>(res);
  }

  async update<T extends KubeObject = StoredObject>(
    type: ResourceType,
    obj: KubeObject,
    opts: WriteOptions = {},
  ): Promise<T> {
    const res = await this.transport.request({
      method: 'PUT',
      path:
        resourcePath(type, obj.metadata?.namespace, obj.metadata?.name ?? '', opts.subresource) +
        query({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager }),
      body: JSON.stringify(obj),
      contentType: 'application/json',
    });
    return this.json<T>(res);
  }

  async patch<T extends KubeObject = StoredObject>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchType: PatchType,
    patch: unknown,
    opts: WriteOptions & { force?: boolean } = {},
  ): Promise<T> {
    const res = await this.transport.request({
      method: 'PATCH',
      path:
        resourcePath(type, namespace, name, opts.subresource) +
        query({
          dryRun: opts.dryRun ? 'All' : undefined,
          fieldManager: opts.fieldManager,
          force: opts.force,
        }),
      body: JSON.stringify(patch),
      contentType: PATCH_CONTENT_TYPES[patchType],
    });
    return this.json<T>(res);
  }

  async delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<KubeObject> {
    const { dryRun, ...body } = opts;
    const res = await this.transport.request({
      method: 'DELETE',
      path: resourcePath(type, namespace, name) + query({ dryRun: dryRun ? 'All' : undefined }),
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', ...body }),
      contentType: 'application/json',
    });
    return this.json<KubeObject>(res);
  }

  /**
   * The events of one watch request, in order. Ends when the server ends the watch (timeout) or the
   * signal aborts; an ERROR event (410 Expired, say) is thrown as its StatusError.
   */
  async *watch<T extends KubeObject = StoredObject>(
    type: ResourceType,
    opts: WatchOptions = {},
  ): AsyncGenerator<WatchEvent<T>> {
    const { namespace, signal, ...params } = opts;
    const res = await this.transport.stream({
      method: 'GET',
      path: resourcePath(type, namespace) + query({ ...params, watch: true }),
      signal,
    });
    if (res.status >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res.chunks) chunks.push(c);
      throw statusErrorOf(res.status, Buffer.concat(chunks));
    }
    let pending = '';
    try {
      for await (const chunk of res.chunks) {
        pending += chunk.toString();
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (!line) continue; // keep-alive
          const event = JSON.parse(line) as { type: string; object: unknown };
          if (event.type === 'ERROR') throw fromStatus(event.object as Partial<Status>, 500);
          yield event as WatchEvent<T>;
        }
      }
    } catch (err) {
      if (signal?.aborted) return;
      if (err instanceof StatusError) throw err;
      // The connection dropped: the watch simply ends and the caller resumes from its last version.
    } finally {
      res.close();
    }
  }

  close(): void {
    this.transport.close();
  }
}
