/**
 * autoscaling/v1 HorizontalPodAutoscaler ⇄ autoscaling/v2 (the stored version), as Kubernetes
 * converts them: targetCPUUtilizationPercentage is a Resource cpu Utilization metric (80% when a v1
 * object names none), status.currentCPUUtilizationPercentage the cpu current averageUtilization. What
 * v1 cannot express travels in annotations on the v1 view and comes back on the way in: other metrics
 * (autoscaling.alpha.kubernetes.io/metrics, in v1's metric shape), current metrics (…/current-metrics),
 * conditions (…/conditions) and behavior (…/behavior, with Go field names, as kube-apiserver writes it).
 */
import type { KubeObject } from '../../apimachinery/meta.js';
import { arr, rec } from '../printing.js';
import type { Converter } from './served-from.js';

export const HPA_ANNOTATIONS = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
};
const ROUND_TRIP = Object.values(HPA_ANNOTATIONS);
export const DEFAULT_CPU_UTILIZATION = 80;

type Obj = Record<string, unknown>;
/** Copies the defined entries only. */
const pick = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const isCpuUtilization = (m: Obj) =>
  m['type'] === 'Resource' &&
  rec(m['resource'])['name'] === 'cpu' &&
  rec(rec(m['resource'])['target'])['averageUtilization'] !== undefined;

// ---- metric specs: v2 ⇄ v1 (v2beta1-like) ----

function targetToV1(t: Obj, valueKey: string, averageKey: string): Obj {
  return pick({
    [valueKey]: t['value'],
    [averageKey]: t['averageValue'],
  });
}
function targetFromV1(value: unknown, average: unknown, utilization?: unknown): Obj {
  if (utilization !== undefined) return { type: 'Utilization', averageUtilization: utilization };
  if (average !== undefined) return pick({ type: 'AverageValue', averageValue: average, value });
  return pick({ type: 'Value', value });
}

export function metricSpecToV1(m: Obj): Obj {
  const type = m['type'];
  if (type === 'Resource' || type === 'ContainerResource') {
    const key = type === 'Resource' ? 'resource' : 'containerResource';
    const r = rec(m[key]);
    const t = rec(r['target']);
    return {
      type,
      [key]: pick({
        name: r['name'],
        container: r['container'],
        targetAverageUtilization: t['averageUtilization'],
        targetAverageValue: t['averageValue'],
      }),
    };
  }
  if (type === 'Pods') {
    const p = rec(m['pods']);
    return {
      type,
      pods: pick({
        metricName: rec(p['metric'])['name'],
        selector: rec(p['metric'])['selector'],
        targetAverageValue: rec(p['target'])['averageValue'],
      }),
    };
  }
  if (type === 'Object') {
    const o = rec(m['object']);
    return {
      type,
      object: pick({
        target: o['describedObject'],
        metricName: rec(o['metric'])['name'],
        selector: rec(o['metric'])['selector'],
        ...targetToV1(rec(o['target']), 'targetValue', 'averageValue'),
      }),
    };
  }
  if (type === 'External') {
    const e = rec(m['external']);
    return {
      type,
      external: pick({
        metricName: rec(e['metric'])['name'],
        metricSelector: rec(e['metric'])['selector'],
        ...targetToV1(rec(e['target']), 'targetValue', 'targetAverageValue'),
      }),
    };
  }
  return m;
}

export function metricSpecFromV1(m: Obj): Obj {
  const type = m['type'];
  if (type === 'Resource' || type === 'ContainerResource') {
    const key = type === 'Resource' ? 'resource' : 'containerResource';
    const r = rec(m[key]);
    return {
      type,
      [key]: pick({
        name: r['name'],
        container: r['container'],
        target: targetFromV1(undefined, r['targetAverageValue'], r['targetAverageUtilization']),
      }),
    };
  }
  if (type === 'Pods') {
    const p = rec(m['pods']);
    return {
      type,
      pods: {
        metric: pick({ name: p['metricName'], selector: p['selector'] }),
        target: targetFromV1(undefined, p['targetAverageValue']),
      },
    };
  }
  if (type === 'Object') {
    const o = rec(m['object']);
    return {
      type,
      object: pick({
        describedObject: o['target'],
        metric: pick({ name: o['metricName'], selector: o['selector'] }),
        target: targetFromV1(o['targetValue'], o['averageValue']),
      }),
    };
  }
  if (type === 'External') {
    const e = rec(m['external']);
    return {
      type,
      external: {
        metric: pick({ name: e['metricName'], selector: e['metricSelector'] }),
        target: targetFromV1(e['targetValue'], e['targetAverageValue']),
      },
    };
  }
  return m;
}

// ---- metric statuses ----

export function metricStatusToV1(m: Obj): Obj {
  const type = m['type'];
  const current = (x: Obj) => rec(x['current']);
  if (type === 'Resource' || type === 'ContainerResource') {
    const key = type === 'Resource' ? 'resource' : 'containerResource';
    const r = rec(m[key]);
    return {
      type,
      [key]: pick({
        name: r['name'],
        container: r['container'],
        currentAverageUtilization: current(r)['averageUtilization'],
        currentAverageValue: current(r)['averageValue'],
      }),
    };
  }
  if (type === 'Pods') {
    const p = rec(m['pods']);
    return {
      type,
      pods: pick({
        metricName: rec(p['metric'])['name'],
        selector: rec(p['metric'])['selector'],
        currentAverageValue: current(p)['averageValue'],
      }),
    };
  }
  if (type === 'Object') {
    const o = rec(m['object']);
    return {
      type,
      object: pick({
        target: o['describedObject'],
        metricName: rec(o['metric'])['name'],
        selector: rec(o['metric'])['selector'],
        currentValue: current(o)['value'],
        averageValue: current(o)['averageValue'],
      }),
    };
  }
  if (type === 'External') {
    const e = rec(m['external']);
    return {
      type,
      external: pick({
        metricName: rec(e['metric'])['name'],
        metricSelector: rec(e['metric'])['selector'],
        currentValue: current(e)['value'],
        currentAverageValue: current(e)['averageValue'],
      }),
    };
  }
  return m;
}

export function metricStatusFromV1(m: Obj): Obj {
  const type = m['type'];
  if (type === 'Resource' || type === 'ContainerResource') {
    const key = type === 'Resource' ? 'resource' : 'containerResource';
    const r = rec(m[key]);
    return {
      type,
      [key]: pick({
        name: r['name'],
        container: r['container'],
        current: pick({
          averageUtilization: r['currentAverageUtilization'],
          averageValue: r['currentAverageValue'],
        }),
      }),
    };
  }
  if (type === 'Pods') {
    const p = rec(m['pods']);
    return {
      type,
      pods: {
        metric: pick({ name: p['metricName'], selector: p['selector'] }),
        current: pick({ averageValue: p['currentAverageValue'] }),
      },
    };
  }
  if (type === 'Object') {
    const o = rec(m['object']);
    return {
      type,
      object: pick({
        describedObject: o['target'],
        metric: pick({ name: o['metricName'], selector: o['selector'] }),
        current: pick({ value: o['currentValue'], averageValue: o['averageValue'] }),
      }),
    };
  }
  if (type === 'External') {
    const e = rec(m['external']);
    return {
      type,
      external: {
        metric: pick({ name: e['metricName'], selector: e['metricSelector'] }),
        current: pick({ value: e['currentValue'], averageValue: e['currentAverageValue'] }),
      },
    };
  }
  return m;
}

// ---- behavior: kube-apiserver stores the internal Go struct, so its keys are Go field names ----

const toGoName = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
const fromGoName = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);
function renameKeys(v: unknown, rename: (k: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => renameKeys(x, rename));
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [rename(k), renameKeys(x, rename)]));
  return v;
}

function parseJson(s: string | undefined): unknown {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

function withoutRoundTrip(annotations: Record<string, string> | undefined): Record<string, string> {
  const out = { ...(annotations ?? {}) };
  for (const k of ROUND_TRIP) delete out[k];
  return out;
}

/** v2 (stored) → v1 view. */
function toV1(o: KubeObject): KubeObject {
  const spec = rec(o['spec']);
  const status = o['status'] === undefined ? undefined : rec(o['status']);
  const metrics = arr(spec['metrics']);
  const annotations = withoutRoundTrip(o.metadata?.annotations);
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => !isCpuUtilization(m)).map(metricSpecToV1);
  if (others.length) annotations[HPA_ANNOTATIONS.metrics] = JSON.stringify(others);
  const current = arr(status?.['currentMetrics']);
  if (current.length)
    annotations[HPA_ANNOTATIONS.currentMetrics] = JSON.stringify(current.map(metricStatusToV1));
  if (spec['behavior'] !== undefined)
    annotations[HPA_ANNOTATIONS.behavior] = JSON.stringify(renameKeys(spec['behavior'], toGoName));
  const conditions = arr(status?.['conditions']);
  if (conditions.length) annotations[HPA_ANNOTATIONS.conditions] = JSON.stringify(conditions);
  const metadata = { ...o.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const cpuNow = current.find((m) => m['type'] === 'Resource' && rec(m['resource'])['name'] === 'cpu');
  const out: KubeObject = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: pick({
      scaleTargetRef: spec['scaleTargetRef'],
      minReplicas: spec['minReplicas'],
      maxReplicas: spec['maxReplicas'],
      targetCPUUtilizationPercentage: cpu
        ? rec(rec(cpu['resource'])['target'])['averageUtilization']
        : undefined,
    }),
  };
  if (status)
    out['status'] = pick({
      observedGeneration: status['observedGeneration'],
      lastScaleTime: status['lastScaleTime'],
      currentReplicas: status['currentReplicas'],
      desiredReplicas: status['desiredReplicas'],
      currentCPUUtilizationPercentage: cpuNow
        ? rec(rec(cpuNow['resource'])['current'])['averageUtilization']
        : undefined,
    });
  return out;
}

/** v1 view → v2 (stored). */
function fromV1(o: KubeObject): KubeObject {
  const spec = rec(o['spec']);
  const status = o['status'] === undefined ? undefined : rec(o['status']);
  const ann = o.metadata?.annotations ?? {};
  const metrics: Obj[] = [];
  const others = parseJson(ann[HPA_ANNOTATIONS.metrics]);
  if (Array.isArray(others)) metrics.push(...(others as Obj[]).map(metricSpecFromV1));
  if (spec['targetCPUUtilizationPercentage'] !== undefined)
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: spec['targetCPUUtilizationPercentage'] },
      },
    });
  if (!metrics.length)
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } },
    });
  const behavior = parseJson(ann[HPA_ANNOTATIONS.behavior]);
  const v2spec = pick({
    scaleTargetRef: spec['scaleTargetRef'],
    minReplicas: spec['minReplicas'],
    maxReplicas: spec['maxReplicas'],
    metrics,
    behavior:
      behavior && typeof behavior === 'object' && Object.keys(behavior).length
        ? renameKeys(behavior, fromGoName)
        : undefined,
  });
  const metadata = { ...o.metadata, annotations: withoutRoundTrip(o.metadata?.annotations) };
  if (!Object.keys(metadata.annotations).length) delete (metadata as { annotations?: unknown }).annotations;
  const out: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    spec: v2spec,
  };
  if (status) {
    let current: Obj[] | undefined;
    const fromAnnotation = parseJson(ann[HPA_ANNOTATIONS.currentMetrics]);
    if (Array.isArray(fromAnnotation)) current = (fromAnnotation as Obj[]).map(metricStatusFromV1);
    else if (status['currentCPUUtilizationPercentage'] !== undefined)
      current = [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            current: { averageUtilization: status['currentCPUUtilizationPercentage'] },
          },
        },
      ];
    const conditions = parseJson(ann[HPA_ANNOTATIONS.conditions]);
    out['status'] = pick({
      observedGeneration: status['observedGeneration'],
      lastScaleTime: status['lastScaleTime'],
      currentReplicas: status['currentReplicas'],
      desiredReplicas: status['desiredReplicas'],
      currentMetrics: current,
      conditions: Array.isArray(conditions) ? conditions : undefined,
    });
  }
  return out;
}

export const hpaV1Conversion: Converter = { toStorage: fromV1, fromStorage: toV1 };
