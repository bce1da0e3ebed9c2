import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeMatchesSelector } from '../../src/api/core/node-selector.js';
import { isBestEffort } from '../../src/api/core/pod-qos.js';
import { podLimits, podRequests } from '../../src/api/core/pod-resources.js';
import { quotaUsage } from '../../src/api/core/quota-usage.js';
import type { QuotaObject } from '../../src/api/core/quota-usage.js';

const c = (
  requests: Record<string, string>,
  limits: Record<string, string> = {},
  restartPolicy?: string,
) => ({
  resources: { requests, limits },
  ...(restartPolicy ? { restartPolicy } : {}),
});

describe('pod resources', () => {
  it('sums app containers, takes the init peak, counts sidecars and overhead', () => {
    const spec = {
      containers: [c({ cpu: '100m', memory: '64Mi' }), c({ cpu: '200m' })],
      initContainers: [c({ cpu: '1', memory: '16Mi' }), c({ cpu: '50m' }, {}, 'Always')],
      overhead: { cpu: '10m' },
    };
    const r = podRequests(spec);
    // app 300m + sidecar 50m = 350m < init peak 1 (the sidecar starts after it) → 1, + overhead.
    assert.equal(r.get('cpu')?.toString(), '1010m');
    assert.equal(r.get('memory')?.toString(true), '64Mi');
  });

  it('defaults a missing request to the limit and tells BestEffort pods', () => {
    const spec = { containers: [c({}, { cpu: '2', memory: '1Gi' })] };
    assert.equal(podRequests(spec).get('cpu')?.toString(), '2');
    assert.equal(podLimits(spec).get('memory')?.toString(true), '1Gi');
    assert.equal(isBestEffort(spec), false);
    assert.equal(isBestEffort({ containers: [{}] }), true);
  });
});

describe('quota usage', () => {
  const pod = (cpu: string, extra: Record<string, unknown> = {}, phase = 'Running'): QuotaObject => ({
    spec: { containers: [c({ cpu }, { cpu })], ...extra },
    status: { phase },
  });
  const objects: Record<string, QuotaObject[]> = {
    pods: [pod('100m'), pod('200m', { activeDeadlineSeconds: 30 }), pod('1', {}, 'Succeeded')],
    configmaps: [{}, {}],
    services: [
      { spec: { type: 'NodePort', ports: [{ nodePort: 30001 }, { nodePort: 30002 }] } },
      { spec: { type: 'LoadBalancer', ports: [{ nodePort: 30003 }] } },
      { spec: { type: 'ClusterIP', ports: [{}] } },
    ],
    persistentvolumeclaims: [
      { spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } },
      { spec: { storageClassName: 'slow', resources: { requests: { storage: '512Mi' } } } },
    ],
  };
  const lookup = (r: string) => objects[r];

  it('counts objects, compute, storage and service ports', () => {
    const used = quotaUsage(
      {
        hard: {
          pods: '10',
          configmaps: '5',
          'requests.cpu': '4',
          'limits.cpu': '4',
          'services.nodeports': '5',
          'services.loadbalancers': '1',
          'requests.storage': '10Gi',
          'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
          'count/deployments.apps': '3',
        },
      },
      lookup,
    );
    assert.deepEqual(used, {
      pods: '2',
      configmaps: '2',
      'requests.cpu': '300m',
      'limits.cpu': '300m',
      'services.nodeports': '3',
      'services.loadbalancers': '1',
      'requests.storage': '1536Mi',
      'fast.storageclass.storage.k8s.io/requests.storage': '1Gi',
    });
  });

  it('applies scopes to pods', () => {
    assert.deepEqual(quotaUsage({ hard: { pods: '5', cpu: '1' }, scopes: ['Terminating'] }, lookup), {
      pods: '1',
      cpu: '200m',
    });
    assert.deepEqual(quotaUsage({ hard: { pods: '5' }, scopes: ['NotTerminating'] }, lookup), { pods: '1' });
    assert.deepEqual(quotaUsage({ hard: { pods: '5' }, scopes: ['BestEffort'] }, lookup), { pods: '0' });
  });
});

describe('node selectors', () => {
  const labels = { zone: 'a', gen: '5' };
  const m = (terms: object[]) =>
    nodeMatchesSelector({ metadata: { name: 'n1', labels } }, { nodeSelectorTerms: terms });
  it('ORs terms, ANDs requirements, and reads metadata.name from matchFields', () => {
    assert.equal(m([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }]), true);
    assert.equal(m([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }]), false);
    assert.equal(m([{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }]), true);
    assert.equal(m([{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }]), false);
    assert.equal(m([{ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }]), true);
    assert.equal(m([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]), true);
    assert.equal(
      m([
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] },
        { matchExpressions: [{ key: 'zone', operator: 'Exists' }] },
      ]),
      true,
    );
    assert.equal(m([{}]), false);
    assert.equal(m([]), false);
  });
});
