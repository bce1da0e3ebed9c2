/**
 * What a ResourceQuota counts: for each resource name in `spec.hard`, the usage of the objects in its
 * namespace that its scopes select. Object counts (`pods`, `services`, `count/deployments.apps`, ...),
 * compute (`requests.cpu`, `limits.memory`, bare `cpu`/`memory` meaning requests, extended resources),
 * storage (`requests.storage`, per-class `<class>.storageclass.storage.k8s.io/...`) and the service
 * sub-counts `services.nodeports` and `services.loadbalancers`.
 */
import { Quantity, resourceList } from '../../apimachinery/quantity.js';
import { isBestEffort } from './pod-qos.js';
import { podLimits, podRequests } from './pod-resources.js';
import type { PodSpecLike } from './pod-resources.js';

/** The objects of one namespace a quota may count, by `resource.group` (core: just `resource`). */
export type NamespaceObjects = (resourceDotGroup: string) => readonly QuotaObject[] | undefined;

export interface QuotaObject {
  metadata?: { deletionTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ScopeSelectorRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface QuotaSpec {
  hard?: Record<string, string | number>;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopeSelectorRequirement[] };
}

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const COMPUTE = new Set(['cpu', 'memory', 'ephemeral-storage']);

/** `count/deployments.apps` → `deployments.apps`; the legacy names of core objects map to themselves. */
export function countedResource(name: string): string | undefined {
  if (name.startsWith('count/')) return name.slice('count/'.length);
  if (
    [
      'pods',
      'services',
      'secrets',
      'configmaps',
      'replicationcontrollers',
      'resourcequotas',
      'persistentvolumeclaims',
    ].includes(name)
  )
    return name;
  return undefined;
}

/**
 * The kind of object (`resource.group`, core: `resource`) whose creation a quota resource name counts:
 * `pods` for compute names, `persistentvolumeclaims` for storage, `services` for its sub-counts.
 */
export function quotaNameCounts(name: string): string {
  const counted = countedResource(name);
  if (counted !== undefined) return counted;
  if (name === 'services.nodeports' || name === 'services.loadbalancers') return 'services';
  if (name === 'requests.storage' || name.includes(STORAGE_CLASS_SUFFIX)) return 'persistentvolumeclaims';
  return 'pods';
}

function podIsCounted(pod: QuotaObject): boolean {
  const phase = pod.status?.['phase'];
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function scopeMatches(scope: string, op: string, values: readonly string[], pod: QuotaObject): boolean {
  const spec = pod.spec as PodSpecLike & { activeDeadlineSeconds?: number; priorityClassName?: string };
  let result: boolean;
  switch (scope) {
    case 'Terminating':
      result = spec?.activeDeadlineSeconds !== undefined;
      break;
    case 'NotTerminating':
      result = spec?.activeDeadlineSeconds === undefined;
      break;
    case 'BestEffort':
      result = isBestEffort(spec);
      break;
    case 'NotBestEffort':
      result = !isBestEffort(spec);
      break;
    case 'PriorityClass': {
      const cls = spec?.priorityClassName;
      if (op === 'Exists') return cls !== undefined && cls !== '';
      if (op === 'DoesNotExist') return !cls;
      const inValues = cls !== undefined && values.includes(cls);
      return op === 'NotIn' ? !inValues : inValues;
    }
    default:
      return false;
  }
  return op === 'DoesNotExist' || op === 'NotIn' ? !result : result;
}

/** Whether a pod falls under the quota's scopes (a quota without scopes counts every pod). */
export function podMatchesScopes(quota: QuotaSpec, pod: QuotaObject): boolean {
  const scopes = (quota.scopes ?? []).every((s) => scopeMatches(s, 'Exists', [], pod));
  const selector = (quota.scopeSelector?.matchExpressions ?? []).every((r) =>
    scopeMatches(r.scopeName, r.operator, r.values ?? [], pod),
  );
  return scopes && selector;
}

/** The scoped quotas only count pods (object counts of other kinds make no sense under pod scopes). */
const isScoped = (quota: QuotaSpec) =>
  (quota.scopes?.length ?? 0) > 0 || (quota.scopeSelector?.matchExpressions?.length ?? 0) > 0;

function sumOver(items: readonly QuotaObject[], f: (o: QuotaObject) => Quantity | undefined): Quantity {
  let total = Quantity.zero();
  for (const o of items) total = total.add(f(o) ?? Quantity.zero());
  return total;
}

/** The usage of one resource name, or undefined when this quota cannot count it. */
export function usageOf(name: string, quota: QuotaSpec, objects: NamespaceObjects): Quantity | undefined {
  const pods = () => (objects('pods') ?? []).filter((p) => podIsCounted(p) && podMatchesScopes(quota, p));
  const counted = countedResource(name);
  if (counted === 'pods') return Quantity.fromMilli(BigInt(pods().length) * 1000n);
  if (counted !== undefined) {
    if (isScoped(quota)) return undefined;
    const items = objects(counted);
    return items ? Quantity.fromMilli(BigInt(items.length) * 1000n) : undefined;
  }
  if (name === 'services.nodeports' || name === 'services.loadbalancers') {
    const services = objects('services') ?? [];
    if (name === 'services.loadbalancers')
      return Quantity.fromMilli(
        BigInt(services.filter((s) => s.spec?.['type'] === 'LoadBalancer').length) * 1000n,
      );
    const nodePorts = services.reduce((n, s) => {
      const type = s.spec?.['type'];
      if (type !== 'NodePort' && type !== 'LoadBalancer') return n;
      const ports = (s.spec?.['ports'] as { nodePort?: number }[] | undefined) ?? [];
      return n + ports.filter((p) => p.nodePort !== undefined).length;
    }, 0);
    return Quantity.fromMilli(BigInt(nodePorts) * 1000n);
  }
  const claims = () =>
    (objects('persistentvolumeclaims') ?? []).filter((c) => !c.metadata?.deletionTimestamp);
  const claimStorage = (c: QuotaObject) =>
    resourceList((c.spec?.['resources'] as { requests?: Record<string, string> } | undefined)?.requests).get(
      'storage',
    );
  if (name === 'requests.storage') return isScoped(quota) ? undefined : sumOver(claims(), claimStorage);
  const classAt = name.indexOf(STORAGE_CLASS_SUFFIX);
  if (classAt > 0) {
    const cls = name.slice(0, classAt);
    const what = name.slice(classAt + STORAGE_CLASS_SUFFIX.length);
    const ofClass = claims().filter((c) => c.spec?.['storageClassName'] === cls);
    if (what === 'persistentvolumeclaims') return Quantity.fromMilli(BigInt(ofClass.length) * 1000n);
    if (what === 'requests.storage') return sumOver(ofClass, claimStorage);
    return undefined;
  }
  // Compute resources of pods: `requests.X`, `limits.X`, and a bare `cpu`/`memory` meaning requests.
  let which: 'requests' | 'limits' = 'requests';
  let resource = name;
  if (name.startsWith('requests.')) resource = name.slice('requests.'.length);
  else if (name.startsWith('limits.')) {
    which = 'limits';
    resource = name.slice('limits.'.length);
  } else if (!COMPUTE.has(name)) return undefined;
  return sumOver(pods(), (p) => (which === 'requests' ? podRequests : podLimits)(p.spec).get(resource));
}

/** `status.used` for a quota: every resource in `spec.hard` it can count, formatted like its hard value. */
export function quotaUsage(quota: QuotaSpec, objects: NamespaceObjects): Record<string, string> {
  const used: Record<string, string> = {};
  for (const [name, hard] of Object.entries(quota.hard ?? {})) {
    const q = usageOf(name, quota, objects);
    if (q) used[name] = q.toString(/i$/.test(String(hard)));
  }
  return used;
}
