/**
 * A Store that times every call into `etcd_request_duration_seconds`, whatever the backend, so the
 * API server's storage latencies show up in /metrics the way kube-apiserver reports etcd's.
 */
import type { KeyValue, ListOptions, ListResult, Store, Watch } from '../../storage/store.js';
import type { ApiServerMetrics } from './metrics.js';

export function instrumentStore(store: Store, metrics: ApiServerMetrics): Store {
  const time = <T>(op: string, key: string, call: () => Promise<T>) => metrics.timeStorage(op, key, call);
  return {
    get backend() {
      return store.backend;
    },
    get: (key: string): Promise<KeyValue | undefined> => time('get', key, () => store.get(key)),
    list: (prefix: string, opts?: ListOptions): Promise<ListResult> =>
      time('list', prefix, () => store.list(prefix, opts)),
    create: (key: string, value: Buffer) => time('create', key, () => store.create(key, value)),
    update: (key: string, value: Buffer, expected: number) =>
      time('update', key, () => store.update(key, value, expected)),
    delete: (key: string, expected?: number) => time('delete', key, () => store.delete(key, expected)),
    watch: (prefix: string, fromRevision: number): Watch => store.watch(prefix, fromRevision),
    currentRevision: () => time('currentRevision', '', () => store.currentRevision()),
    compact: (revision: number) => time('compact', '', () => store.compact(revision)),
    compactedRevision: () => store.compactedRevision(),
    close: () => store.close(),
  };
}
