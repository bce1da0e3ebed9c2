/**
 * ResourceQuota (a default kube-apiserver admission plugin): a create that would take a namespace past
 * one of its quotas is refused with 403 Forbidden and Kubernetes' message, e.g.
 * `exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4`. A pod that leaves out a
 * cpu or memory request or limit a quota tracks is refused (`failed quota: compute: must specify
 * limits.cpu for: web`). An admitted create is charged to every quota it counts against at once, in
 * the quota's status.used (with the quota's resourceVersion, retried on conflict), so concurrent creates
 * cannot all slip under the same limit; the resourcequota controller later recomputes the usage from
 * what exists. Usage is worked out by the same rules the controller uses (api/core/quota-usage.ts).
 */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { Quantity } from '../../apimachinery/quantity.js';
import { podMatchesScopes, quotaNameCounts, usageOf } from '../../api/core/quota-usage.js';
import type { QuotaObject, QuotaSpec } from '../../api/core/quota-usage.js';
import type { ResourceDefinition } from '../../api/types.js';
import type { ObjectStore } from '../registry/object-store.js';
import type { AdmissionPlugin, AdmissionRequest } from './chain.js';

export interface QuotaSource {
  /** The quotas of a namespace (from a watch-fed view; may be a little stale). */
  list(namespace: string): Promise<StoredObject[]>;
}

interface QuotaStatus {
  hard?: Record<string, string>;
  used?: Record<string, string>;
}

/** How many times a charge is retried when another write moved the quota first. */
const CHARGE_ATTEMPTS = 5;

/** Quota names that make every container state a request or limit (kube's "validation set"). */
const MUST_SPECIFY: Record<string, { list: 'requests' | 'limits'; resource: string }> = {
  cpu: { list: 'requests', resource: 'cpu' },
  memory: { list: 'requests', resource: 'memory' },
  'requests.cpu': { list: 'requests', resource: 'cpu' },
  'requests.memory': { list: 'requests', resource: 'memory' },
  'limits.cpu': { list: 'limits', resource: 'cpu' },
  'limits.memory': { list: 'limits', resource: 'memory' },
};

interface ContainerResources {
  name?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

/** `resource=value,...` sorted by name, as kube prints a ResourceList in quota errors. */
const pretty = (list: Map<string, string>) =>
  [...list]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function missingSpecifications(hard: string[], pod: StoredObject): string | undefined {
  const spec = (pod['spec'] ?? {}) as {
    containers?: ContainerResources[];
    initContainers?: ContainerResources[];
  };
  const missing = new Map<string, Set<string>>();
  for (const name of hard) {
    const rule = MUST_SPECIFY[name];
    if (!rule) continue;
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])])
      if (c.resources?.[rule.list]?.[rule.resource] === undefined) {
        const names = missing.get(name) ?? new Set<string>();
        names.add(c.name ?? '');
        missing.set(name, names);
      }
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing.keys()]
    .sort()
    .map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`)
    .join('; ')}`;
}

type Outcome = { quota: StoredObject; used: Record<string, string> } | undefined;

/**
 * What admitting `req.object` does to one quota: nothing, a new status.used, or a refusal. As in
 * Kubernetes, a quota counts from its status: one the controller has not processed yet (no status.hard)
 * constrains nothing, and one whose usage of a tracked resource is not known yet refuses.
 */
function charge(req: AdmissionRequest, quota: StoredObject): Outcome {
  const spec = (quota['spec'] ?? {}) as QuotaSpec;
  const status = (quota['status'] ?? {}) as QuotaStatus;
  const hard = status.hard ?? {};
  const kind = req.def.group ? `${req.def.resource}.${req.def.group}` : req.def.resource;
  const restricted = Object.keys(hard)
    .filter((r) => quotaNameCounts(r) === kind)
    .sort();
  if (!restricted.length) return undefined;
  const isPod = kind === 'pods';
  if (isPod && !podMatchesScopes(spec, req.object)) return undefined;
  const forbidden = (why: string) =>
    E.forbidden({ group: req.def.group, resource: req.def.resource }, req.object.metadata.name, why);
  const name = quota.metadata.name;
  if (isPod) {
    const missing = missingSpecifications(restricted, req.object);
    if (missing) throw forbidden(`failed quota: ${name}: ${missing}`);
  }
  if (restricted.some((r) => status.used?.[r] === undefined))
    throw forbidden(`status unknown for quota: ${name}, resources: ${restricted.join(',')}`);
  const only = (r: string) => (r === kind ? [req.object as QuotaObject] : []);
  const used = { ...status.used };
  const over = {
    requested: new Map<string, string>(),
    used: new Map<string, string>(),
    hard: new Map<string, string>(),
  };
  let changed = false;
  for (const resource of restricted) {
    const q = usageOf(resource, spec, only);
    if (!q || q.isZero()) continue;
    const binary = /i$/.test(hard[resource]!);
    const now = Quantity.parse(used[resource]!).add(q);
    if (now.cmp(Quantity.parse(hard[resource]!)) > 0) {
      over.requested.set(resource, q.toString(binary));
      over.used.set(resource, used[resource]!);
      over.hard.set(resource, hard[resource]!);
    }
    used[resource] = now.toString(binary);
    changed = true;
  }
  if (over.requested.size)
    throw forbidden(
      `exceeded quota: ${name}, requested: ${pretty(over.requested)}, used: ${pretty(over.used)}, limited: ${pretty(over.hard)}`,
    );
  return changed ? { quota, used } : undefined;
}

export function resourceQuotaAdmission(
  quotas: QuotaSource,
  objects: ObjectStore,
  quotaDef: ResourceDefinition,
): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    async admit(req) {
      if (req.operation !== 'CREATE' || !req.def.namespaced) return;
      const namespace = req.object.metadata.namespace;
      if (!namespace) return;
      // Every quota is checked before any is charged, so a refusal charges none.
      const charges = (await quotas.list(namespace)).map((q) => charge(req, q));
      if (req.dryRun) return;
      for (let c of charges) {
        for (let attempt = 1; c; attempt++) {
          try {
            const status = { ...(c.quota['status'] as QuotaStatus | undefined), used: c.used };
            await objects.update(quotaDef, { ...c.quota, status }, Number(c.quota.metadata.resourceVersion));
            break;
          } catch (err) {
            if (!E.isStatusError(err, 'Conflict') || attempt >= CHARGE_ATTEMPTS) throw err;
            // Another write charged this quota first: count again from what is stored now.
            const fresh = await objects.get(quotaDef, namespace, c.quota.metadata.name);
            c = charge(req, fresh);
          }
        }
      }
    },
  };
}
