import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject, StoredObject } from '../../src/apimachinery/meta.js';
import { eventsV1Conversion } from '../../src/api/conversion/events.js';
import { HPA_ANNOTATIONS, hpaV1Conversion } from '../../src/api/conversion/hpa.js';
import { builtinRegistry } from '../../src/api/registry.js';
import { ObjectStore } from '../../src/apiserver/registry/object-store.js';
import { buildFilter } from '../../src/apiserver/handlers/selectors.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';

const registry = builtinRegistry();

const coreEvent: KubeObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.1', namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1' },
  reason: 'Started',
  message: 'Started container web',
  source: { component: 'kubelet', host: 'node-1' },
  firstTimestamp: '2024-01-01T00:00:00Z',
  lastTimestamp: '2024-01-01T00:01:00Z',
  count: 3,
  type: 'Normal',
  eventTime: null,
  reportingComponent: 'kubelet',
  reportingInstance: 'node-1',
  action: 'Start',
  series: { count: 2, lastObservedTime: '2024-01-01T00:01:00.000000Z' },
  related: { kind: 'Node', name: 'node-1' },
};

describe('events.k8s.io/v1 ⇄ core/v1', () => {
  test('fields map by Kubernetes’ names', () => {
    const v1 = eventsV1Conversion.fromStorage(structuredClone(coreEvent));
    assert.equal(v1.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(v1['regarding'], coreEvent['involvedObject']);
    assert.equal(v1['note'], 'Started container web');
    assert.deepEqual(v1['deprecatedSource'], { component: 'kubelet', host: 'node-1' });
    assert.equal(v1['deprecatedFirstTimestamp'], '2024-01-01T00:00:00Z');
    assert.equal(v1['deprecatedLastTimestamp'], '2024-01-01T00:01:00Z');
    assert.equal(v1['deprecatedCount'], 3);
    assert.equal(v1['reportingController'], 'kubelet');
    assert.equal(v1['reportingInstance'], 'node-1');
    assert.deepEqual(v1['series'], coreEvent['series']);
    for (const gone of ['involvedObject', 'message', 'source', 'count', 'reportingComponent'])
      assert.equal(v1[gone], undefined, gone);
  });

  test('core → events.k8s.io → core is lossless', () => {
    const back = eventsV1Conversion.toStorage(eventsV1Conversion.fromStorage(structuredClone(coreEvent)));
    assert.deepEqual(back, coreEvent);
  });

  test('an event written as events.k8s.io/v1 is read, listed and selected as core/v1 and back', async () => {
    const objects = new ObjectStore(new MemoryStore());
    const core = registry.lookup('', 'v1', 'events')!;
    const ev = registry.lookup('events.k8s.io', 'v1', 'events')!;
    const written = eventsV1Conversion.fromStorage(structuredClone(coreEvent)) as StoredObject;
    const created = await objects.create(ev, written);
    assert.equal(created.apiVersion, 'events.k8s.io/v1');
    const asCore = await objects.get(core, 'default', 'web.1');
    assert.equal(asCore.apiVersion, 'v1');
    assert.equal(asCore['message'], 'Started container web');
    const byRegarding = await objects.list(ev, 'default', {
      filter: buildFilter(
        ev,
        new URLSearchParams({ fieldSelector: 'regarding.name=web,reportingController=kubelet' }),
      ),
    });
    assert.equal(byRegarding.items.length, 1);
    assert.equal(byRegarding.items[0]!['note'], 'Started container web');
    const none = await objects.list(ev, 'default', {
      filter: buildFilter(ev, new URLSearchParams({ fieldSelector: 'regarding.name=other' })),
    });
    assert.equal(none.items.length, 0);
    assert.throws(() => buildFilter(ev, new URLSearchParams({ fieldSelector: 'involvedObject.name=web' })));
    // Both views print the same row.
    assert.deepEqual(ev.cells!(byRegarding.items[0]!), core.cells!(asCore));
  });
});

const hpaV2: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'default', annotations: { team: 'a' } },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [
      {
        type: 'Resource',
        resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } },
      },
      {
        type: 'Pods',
        pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1k' } },
      },
      {
        type: 'External',
        external: {
          metric: { name: 'queue', selector: { matchLabels: { q: 'jobs' } } },
          target: { type: 'Value', value: '30' },
        },
      },
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } },
      },
    ],
    behavior: {
      scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    },
  },
  status: {
    currentReplicas: 3,
    desiredReplicas: 4,
    currentMetrics: [
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: 71, averageValue: '150m' } },
      },
    ],
    conditions: [
      {
        type: 'AbleToScale',
        status: 'True',
        lastTransitionTime: '2024-01-01T00:00:00Z',
        reason: 'ReadyForNewScale',
      },
    ],
  },
};

describe('autoscaling/v1 ⇄ autoscaling/v2', () => {
  test('the cpu utilization metric is targetCPUUtilizationPercentage; the rest goes to annotations', () => {
    const v1 = hpaV1Conversion.fromStorage(structuredClone(hpaV2));
    assert.equal(v1.apiVersion, 'autoscaling/v1');
    const spec = v1['spec'] as Record<string, unknown>;
    assert.equal(spec['targetCPUUtilizationPercentage'], 65);
    assert.equal(spec['metrics'], undefined);
    assert.equal((v1['status'] as Record<string, unknown>)['currentCPUUtilizationPercentage'], 71);
    const ann = v1.metadata!.annotations!;
    assert.equal(ann['team'], 'a');
    assert.deepEqual(JSON.parse(ann[HPA_ANNOTATIONS.metrics]!), [
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '1k' } },
      {
        type: 'External',
        external: { metricName: 'queue', metricSelector: { matchLabels: { q: 'jobs' } }, targetValue: '30' },
      },
    ]);
    assert.deepEqual(JSON.parse(ann[HPA_ANNOTATIONS.behavior]!), {
      ScaleDown: {
        StabilizationWindowSeconds: 300,
        SelectPolicy: 'Max',
        Policies: [{ Type: 'Percent', Value: 100, PeriodSeconds: 15 }],
      },
    });
    const conditions = JSON.parse(ann[HPA_ANNOTATIONS.conditions]!) as { reason: string }[];
    assert.equal(conditions[0]?.reason, 'ReadyForNewScale');
    assert.ok(ann[HPA_ANNOTATIONS.currentMetrics]);
  });

  test('v2 → v1 → v2 keeps metrics, behavior, current metrics and conditions', () => {
    const back = hpaV1Conversion.toStorage(hpaV1Conversion.fromStorage(structuredClone(hpaV2)));
    const spec = back['spec'] as Record<string, unknown>;
    const want = hpaV2['spec'] as Record<string, unknown>;
    // Kubernetes puts the cpu metric after the ones from the annotation.
    assert.deepEqual(spec['metrics'], want['metrics']);
    assert.deepEqual(spec['behavior'], want['behavior']);
    assert.deepEqual(back['status'], hpaV2['status']);
    assert.deepEqual(back.metadata!.annotations, { team: 'a' });
  });

  test('v1 → v2 → v1 is lossless, and a v1 HPA without a target gets the 80% cpu default', () => {
    const v1: KubeObject = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'a' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a' },
        minReplicas: 1,
        maxReplicas: 3,
        targetCPUUtilizationPercentage: 50,
      },
      status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 20 },
    };
    assert.deepEqual(hpaV1Conversion.fromStorage(hpaV1Conversion.toStorage(structuredClone(v1))), {
      ...v1,
      metadata: { name: 'a', annotations: { [HPA_ANNOTATIONS.currentMetrics]: expectCurrent(20) } },
    });
    const bare = structuredClone(v1);
    delete (bare['spec'] as Record<string, unknown>)['targetCPUUtilizationPercentage'];
    const v2 = hpaV1Conversion.toStorage(bare);
    assert.deepEqual((v2['spec'] as Record<string, unknown>)['metrics'], [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ]);
  });
});

/** The current-metrics annotation a v1 view carries for a cpu utilization status. */
function expectCurrent(pct: number): string {
  return JSON.stringify([{ type: 'Resource', resource: { name: 'cpu', currentAverageUtilization: pct } }]);
}
