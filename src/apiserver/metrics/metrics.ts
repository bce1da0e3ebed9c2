/**
 * The API server's Prometheus metrics, named and labelled as kube-apiserver's so existing dashboards
 * and queries work: request counts and latencies by verb/resource/code, in-flight and long-running
 * requests, and storage latencies. Each server has its own registry (tests run several in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestInfo } from '../request-info.js';

/** What a request is counted under. */
export interface RequestLabels {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

const REQUEST_LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;

// kube-apiserver's latency buckets (seconds), for requests and storage alike.
const REQUEST_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection', 'post', 'put']);

export class ApiServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<keyof RequestLabels | 'code'>;
  private readonly duration: Histogram<keyof RequestLabels>;
  private readonly inflight: Gauge<'request_kind'>;
  private readonly longRunning: Gauge<keyof RequestLabels>;
  private readonly storage: Histogram<'operation' | 'type'>;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...REQUEST_LABELS, 'code'],
      registers,
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.',
      labelNames: REQUEST_LABELS,
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.inflight = new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Number of requests currently being served, by kind (readOnly or mutating).',
      labelNames: ['request_kind'],
      registers,
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Number of open long-running requests (watches), by verb, group, version, resource, scope and component.',
      labelNames: REQUEST_LABELS,
      registers,
    });
    this.storage = new Histogram({
      name: 'etcd_request_duration_seconds',
      help: 'Storage request latency in seconds for each operation and object type.',
      labelNames: ['operation', 'type'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.inflight.set({ request_kind: 'readOnly' }, 0);
    this.inflight.set({ request_kind: 'mutating' }, 0);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Marks a request as started; the returned function records its end with the response code. */
  requestStarted(info: RequestInfo): (code: number) => void {
    const labels = requestLabels(info);
    const kind = MUTATING.has(info.verb) ? 'mutating' : 'readOnly';
    const watching = info.verb === 'watch';
    this.inflight.inc({ request_kind: kind });
    if (watching) this.longRunning.inc(labels);
    const end = this.duration.startTimer(labels);
    return (code) => {
      this.inflight.dec({ request_kind: kind });
      if (watching) this.longRunning.dec(labels);
      else end();
      this.requests.inc({ ...labels, code: String(code) });
    };
  }

  /** Times one storage call. */
  async timeStorage<T>(operation: string, key: string, call: () => Promise<T>): Promise<T> {
    const end = this.storage.startTimer({ operation, type: storageType(key) });
    try {
      return await call();
    } finally {
      end();
    }
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

// kube-apiserver labels requests by HTTP method, with GET split into GET/LIST/WATCH.
const CANONICAL_VERBS: Record<string, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
};

/** Resource requests by their resource; others by their path, as kube-apiserver's "component" split. */
export function requestLabels(info: RequestInfo): RequestLabels {
  if (!info.isResourceRequest)
    return {
      verb: info.verb.toUpperCase(),
      group: '',
      version: '',
      resource: '',
      subresource: nonResourcePath(info.path),
      scope: '',
      component: 'apiserver',
    };
  const scope = info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster';
  return {
    verb: CANONICAL_VERBS[info.verb] ?? info.verb.toUpperCase(),
    group: info.group,
    version: info.version,
    resource: info.resource,
    subresource: info.subresource,
    scope,
    component: 'apiserver',
  };
}

/** Bounded label values for non-resource paths: the first path segment only. */
function nonResourcePath(path: string): string {
  const first = path.split('/').filter(Boolean)[0];
  return first ? `/${first}` : '/';
}

/** `pods/default/web` → `/registry/pods`, as etcd_request_duration_seconds' `type` label. */
function storageType(key: string): string {
  const first = key.split('/')[0] ?? '';
  return `/registry/${first}`;
}
