/**
 * Bodies built field by field with protobufjs's Writer from the generated.proto definitions (numbers
 * in comments), decoded and compared with the JSON kubectl would send for the same object.
 */

import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { decodeKubernetesProtobuf } from '../../src/apimachinery/protobuf/index.js';
import {
  bool,
  bytes,
  bytesMap,
  cat,
  envelope,
  group,
  int32,
  int64,
  intOrString,
  msg,
  objectMeta,
  quantityMap,
  str,
  strMap,
  time,
} from './encode.js';

const decode = (apiVersion: string, kind: string, ...fields: Uint8Array[]) =>
  decodeKubernetesProtobuf(envelope(apiVersion, kind, cat(...fields)));

const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');

/** A Container as Go writes it: its non-pointer fields, empty or not (resources is always there). */
const container = (no: number, name: string, image: string, ...more: Uint8Array[]) =>
  msg(
    no,
    str(1, name),
    str(2, image),
    str(5, ''), // workingDir
    ...more,
    msg(8), // resources
    str(13, ''), // terminationMessagePath
    str(14, ''), // imagePullPolicy
    bool(16, false), // stdin
    bool(17, false), // stdinOnce
    bool(18, false), // tty
    str(20, ''), // terminationMessagePolicy
  );

/** PodSpec's non-pointer scalars, which Go always writes. */
const podSpecScalars = (restartPolicy = '') =>
  cat(
    str(3, restartPolicy),
    str(6, ''), // dnsPolicy
    str(8, ''), // serviceAccountName
    str(9, ''), // serviceAccount
    str(10, ''), // nodeName
    bool(11, false), // hostNetwork
    bool(12, false), // hostPID
    bool(13, false), // hostIPC
    str(16, ''), // hostname
    str(17, ''), // subdomain
    str(19, ''), // schedulerName
    str(24, ''), // priorityClassName
  );

test('Namespace with labels', () => {
  const got = decode(
    'v1',
    'Namespace',
    objectMeta(1, { name: 'team-a', labels: { env: 'prod', team: 'a' } }),
    msg(2), // spec
    msg(3, str(1, '')), // status.phase
  );
  assert.deepEqual(got, {
    apiVersion: 'v1',
    kind: 'Namespace',
    object: {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'team-a', labels: { env: 'prod', team: 'a' } },
      spec: {},
      status: {},
    },
  });
});

test('ConfigMap with data and binaryData (bytes become base64)', () => {
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x00, 0xff);
  const got = decode(
    'v1',
    'ConfigMap',
    objectMeta(1, { name: 'cfg', namespace: 'default' }),
    strMap(2, { 'app.conf': 'x=1\ny=é\n', empty: '' }),
    msg(2, str(1, 'no-value')), // a map entry whose value field is absent
    bytesMap(3, { 'logo.png': png, 'empty.bin': new Uint8Array(0) }),
  );
  assert.deepEqual(got.object, {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'cfg', namespace: 'default' },
    data: { 'app.conf': 'x=1\ny=é\n', empty: '', 'no-value': '' },
    binaryData: { 'logo.png': b64(png), 'empty.bin': '' },
  });
});

test('Secret of type kubernetes.io/tls; a pointer false (immutable) is kept', () => {
  const crt = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const key = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
  const got = decode(
    'v1',
    'Secret',
    objectMeta(1, { name: 'tls1' }),
    bytesMap(2, { 'tls.crt': Buffer.from(crt), 'tls.key': Buffer.from(key) }),
    str(3, 'kubernetes.io/tls'),
    bool(5, false),
  );
  assert.deepEqual(got.object, {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 'tls1' },
    immutable: false,
    data: { 'tls.crt': b64(crt), 'tls.key': b64(key) },
    type: 'kubernetes.io/tls',
  });
});

test('Deployment as `kubectl create deployment web --image=nginx --replicas=3 --port=80` sends it', () => {
  const got = decode(
    'apps/v1',
    'Deployment',
    objectMeta(1, { name: 'web', labels: { app: 'web' } }),
    msg(
      2, // spec
      int32(1, 3), // replicas
      msg(2, strMap(1, { app: 'web' })), // selector.matchLabels
      msg(
        3, // template
        objectMeta(1, { labels: { app: 'web' } }),
        msg(
          2,
          container(
            2,
            'nginx',
            'nginx',
            msg(6, str(1, ''), int32(2, 0), int32(3, 80), str(4, ''), str(5, '')),
          ),
          podSpecScalars(),
        ),
      ),
      msg(4, str(1, '')), // strategy
      int32(5, 0), // minReadySeconds
      bool(7, false), // paused
    ),
    msg(3, int64(1, 0), int32(2, 0), int32(3, 0), int32(4, 0), int32(5, 0), int32(7, 0)),
  );
  assert.deepEqual(got.object, {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }],
        },
      },
      strategy: {},
    },
    status: {},
  });
});

test('Service ports: targetPort as number and as name; absent status is still an object', () => {
  const port = (name: string, n: number, target?: number | string) =>
    msg(
      1,
      str(1, name),
      str(2, 'TCP'),
      int32(3, n),
      ...(target === undefined ? [] : [intOrString(4, target)]),
    );
  const got = decode(
    'v1',
    'Service',
    objectMeta(1, { name: 'web', namespace: 'prod' }),
    msg(
      2,
      port('http', 80, 8080),
      port('https', 443, 'https'),
      port('metrics', 9090),
      strMap(2, { app: 'web' }),
      str(3, ''),
      str(4, 'ClusterIP'),
      str(7, ''),
    ),
  );
  assert.deepEqual(got.object, {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name: 'web', namespace: 'prod' },
    spec: {
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' },
        // A zero IntOrString is a struct to Go's encoding/json: omitempty does not drop it.
        { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 0 },
      ],
      selector: { app: 'web' },
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  });
});

test('Job with backoffLimit 0: a pointer field present as zero is kept', () => {
  const got = decode(
    'batch/v1',
    'Job',
    objectMeta(1, { name: 'pi' }),
    msg(
      2,
      msg(
        6, // template
        objectMeta(1, {}),
        msg(
          2,
          container(2, 'pi', 'perl:5.34', str(3, 'perl'), str(3, '-e'), str(3, 'print 1')),
          podSpecScalars('Never'),
        ),
      ),
      int32(7, 0), // backoffLimit
    ),
    msg(3, int32(4, 0), int32(5, 0), int32(6, 0), str(7, '')),
  );
  assert.deepEqual(got.object, {
    kind: 'Job',
    apiVersion: 'batch/v1',
    metadata: { name: 'pi' },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {},
        spec: {
          containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-e', 'print 1'], resources: {} }],
          restartPolicy: 'Never',
        },
      },
    },
    status: {},
  });
});

test('SelfSubjectAccessReview (kubectl auth can-i list pods -n team-a)', () => {
  const got = decode(
    'authorization.k8s.io/v1',
    'SelfSubjectAccessReview',
    objectMeta(1, {}),
    msg(
      2,
      msg(
        1,
        str(1, 'team-a'),
        str(2, 'list'),
        str(3, ''),
        str(4, ''),
        str(5, 'pods'),
        str(6, ''),
        str(7, ''),
      ),
    ),
    msg(3, bool(1, false), str(2, ''), str(3, ''), bool(4, false)),
  );
  assert.deepEqual(got.object, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec: { resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } },
    status: { allowed: false },
  });
});

test('TokenRequest with expirationSeconds', () => {
  const got = decode(
    'authentication.k8s.io/v1',
    'TokenRequest',
    objectMeta(1, { name: 'sa1', namespace: 'default' }),
    msg(2, int64(4, 3600)),
    msg(3, str(1, ''), time(2)),
  );
  assert.deepEqual(got.object, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: 'sa1', namespace: 'default' },
    // audiences (no omitempty) and boundObjectRef (a pointer without omitempty) are nil: JSON null.
    spec: { audiences: null, expirationSeconds: 3600, boundObjectRef: null },
    status: { token: '', expirationTimestamp: null },
  });
});

test('CronJob with a job template', () => {
  const got = decode(
    'batch/v1',
    'CronJob',
    objectMeta(1, { name: 'backup' }),
    msg(
      2,
      str(1, '*/5 * * * *'),
      str(3, 'Forbid'),
      bool(4, false), // suspend (pointer)
      msg(
        5,
        objectMeta(1, { name: 'backup' }),
        msg(
          2,
          msg(
            6,
            objectMeta(1, {}),
            msg(2, container(2, 'backup', 'busybox', str(4, 'date')), podSpecScalars('OnFailure')),
          ),
        ),
      ),
      int32(6, 3), // successfulJobsHistoryLimit
    ),
    msg(3),
  );
  assert.deepEqual(got.object, {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    metadata: { name: 'backup' },
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: 'Forbid',
      suspend: false,
      jobTemplate: {
        metadata: { name: 'backup' },
        spec: {
          template: {
            metadata: {},
            spec: {
              containers: [{ name: 'backup', image: 'busybox', args: ['date'], resources: {} }],
              restartPolicy: 'OnFailure',
            },
          },
        },
      },
      successfulJobsHistoryLimit: 3,
    },
    status: {},
  });
});

test('ClusterRoleBinding', () => {
  const got = decode(
    'rbac.authorization.k8s.io/v1',
    'ClusterRoleBinding',
    objectMeta(1, { name: 'devs-view' }),
    msg(2, str(1, 'Group'), str(2, 'rbac.authorization.k8s.io'), str(3, 'devs'), str(4, '')),
    msg(2, str(1, 'ServiceAccount'), str(2, ''), str(3, 'ci'), str(4, 'build')),
    msg(3, str(1, 'rbac.authorization.k8s.io'), str(2, 'ClusterRole'), str(3, 'view')),
  );
  assert.deepEqual(got.object, {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: 'devs-view' },
    subjects: [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' },
      { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
    ],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  });
});

test('PodDisruptionBudget with minAvailable as percentage and as number', () => {
  const pdb = (min: number | string) =>
    decode(
      'policy/v1',
      'PodDisruptionBudget',
      objectMeta(1, { name: 'web' }),
      msg(2, intOrString(1, min), msg(2, strMap(1, { app: 'web' }))),
      msg(3, int64(1, 0), int32(3, 0), int32(4, 0), int32(5, 0), int32(6, 0)),
    ).object;
  const expected = (min: number | string) => ({
    kind: 'PodDisruptionBudget',
    apiVersion: 'policy/v1',
    metadata: { name: 'web' },
    spec: { minAvailable: min, selector: { matchLabels: { app: 'web' } } },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  });
  assert.deepEqual(pdb('50%'), expected('50%'));
  assert.deepEqual(pdb(2), expected(2));
});

test('CertificateSigningRequest approval with a condition time; extra is map<string, ExtraValue>', () => {
  const request = Buffer.from(
    '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n',
  );
  const got = decode(
    'certificates.k8s.io/v1',
    'CertificateSigningRequest',
    objectMeta(1, { name: 'csr1' }),
    msg(
      2,
      bytes(1, request),
      str(2, 'alice'),
      str(3, ''),
      str(4, 'system:authenticated'),
      str(5, 'client auth'),
      msg(6, str(1, 'scopes'), msg(2, str(1, 'a'), str(1, 'b'))),
      str(7, 'kubernetes.io/kube-apiserver-client'),
    ),
    msg(
      3,
      msg(
        1,
        str(1, 'Approved'),
        str(2, 'KubectlApprove'),
        str(3, 'This CSR was approved by kubectl certificate approve.'),
        time(4, '2024-01-02T03:04:05Z'),
        time(5),
        str(6, 'True'),
      ),
    ),
  );
  assert.deepEqual(got.object, {
    kind: 'CertificateSigningRequest',
    apiVersion: 'certificates.k8s.io/v1',
    metadata: { name: 'csr1' },
    spec: {
      request: b64(request),
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth'],
      username: 'alice',
      groups: ['system:authenticated'],
      extra: { scopes: ['a', 'b'] },
    },
    status: {
      conditions: [
        {
          type: 'Approved',
          status: 'True',
          reason: 'KubectlApprove',
          message: 'This CSR was approved by kubectl certificate approve.',
          lastUpdateTime: '2024-01-02T03:04:05Z',
          lastTransitionTime: null,
        },
      ],
    },
  });
});

test('Pod: inlined volume sources and probe handlers, quantities, security context, scheduling', () => {
  const got = decode(
    'v1',
    'Pod',
    objectMeta(1, { name: 'app', namespace: 'prod' }),
    msg(
      2,
      msg(1, str(1, 'config'), msg(2, msg(19, msg(1, str(1, 'app-config')), int32(3, 0o644)))), // configMap volume
      msg(1, str(1, 'scratch'), msg(2, msg(2, str(1, 'Memory'), msg(2, str(1, '64Mi'))))), // emptyDir
      container(
        2,
        'app',
        'registry.example/app:1.2',
        msg(7, str(1, 'LEVEL'), str(2, 'debug')),
        msg(7, str(1, 'MODE'), str(2, ''), msg(3, msg(3, msg(1, str(1, 'app-config')), str(2, 'mode')))),
        msg(9, str(1, 'config'), bool(2, true), str(3, '/etc/app'), str(4, ''), str(6, '')),
        msg(
          10,
          msg(1, msg(2, str(1, '/healthz'), intOrString(2, 'http'), str(3, ''), str(4, 'HTTP'))),
          int32(4, 10),
        ),
        msg(15, msg(1, str(2, 'ALL')), bool(5, true), int64(4, 1000), bool(7, false)),
      ),
      podSpecScalars('Always'),
      bool(21, false), // automountServiceAccountToken
      msg(14, int64(2, 1000), bytes(4, Buffer.from([0xe8, 0x07, 0xd0, 0x0f]))), // packed supplementalGroups 1000, 2000
      msg(14, int64(4, 3000)), // and one more unpacked, merged into the same securityContext
      msg(18, msg(1, msg(1, msg(1, msg(1, str(1, 'disktype'), str(2, 'In'), str(3, 'ssd')))))),
      msg(22, str(1, 'dedicated'), str(2, 'Equal'), str(3, 'gpu'), str(4, 'NoExecute'), int64(5, 300)),
      msg(33, int32(1, 1), str(2, 'topology.kubernetes.io/zone'), str(3, 'DoNotSchedule')),
      int32(25, -5), // priority: a negative int32 is a 10-byte varint on the wire
    ),
  );
  const spec = (got.object['spec'] ?? {}) as Record<string, unknown>;
  assert.deepEqual(spec['volumes'], [
    { name: 'config', configMap: { name: 'app-config', defaultMode: 0o644 } },
    { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
  ]);
  assert.deepEqual(spec['containers'], [
    {
      name: 'app',
      image: 'registry.example/app:1.2',
      env: [
        { name: 'LEVEL', value: 'debug' },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode' } } },
      ],
      resources: {},
      volumeMounts: [{ name: 'config', readOnly: true, mountPath: '/etc/app' }],
      livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
      securityContext: {
        capabilities: { drop: ['ALL'] },
        runAsUser: 1000,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
      },
    },
  ]);
  const { volumes: _v, containers: _c, ...rest } = spec;
  assert.deepEqual(rest, {
    restartPolicy: 'Always',
    automountServiceAccountToken: false,
    securityContext: { runAsUser: 1000, supplementalGroups: [1000, 2000, 3000] },
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] }],
        },
      },
    },
    tolerations: [
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    priority: -5,
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
    ],
  });
  assert.deepEqual(got.object['status'], {});
});

test('ResourceQuota and container resources: map<string, Quantity>', () => {
  const got = decode(
    'v1',
    'ResourceQuota',
    objectMeta(1, { name: 'q' }),
    msg(2, quantityMap(1, { cpu: '1', memory: '1Gi', pods: '10' }), str(2, 'BestEffort')),
    msg(3),
  );
  assert.deepEqual(got.object, {
    kind: 'ResourceQuota',
    apiVersion: 'v1',
    metadata: { name: 'q' },
    spec: { hard: { cpu: '1', memory: '1Gi', pods: '10' }, scopes: ['BestEffort'] },
    status: {},
  });
});

test('ServiceAccount automountServiceAccountToken: false survives', () => {
  const got = decode('v1', 'ServiceAccount', objectMeta(1, { name: 'ci' }), bool(4, false));
  assert.deepEqual(got.object, {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    metadata: { name: 'ci' },
    automountServiceAccountToken: false,
  });
});

test('Scale: a non-pointer omitempty zero (spec.replicas 0) is dropped, as Go drops it', () => {
  const got = decode(
    'autoscaling/v1',
    'Scale',
    objectMeta(1, { name: 'web' }),
    msg(2, int32(1, 0)),
    msg(3, int32(1, 3)),
  );
  assert.deepEqual(got.object, {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'web' },
    spec: {},
    status: { replicas: 3 },
  });
});

test('DeleteOptions under any group version: gracePeriodSeconds 0 is kept', () => {
  const got = decode('apps/v1', 'DeleteOptions', int64(1, 0), str(4, 'Foreground'), str(5, 'All'));
  assert.deepEqual(got, {
    apiVersion: 'apps/v1',
    kind: 'DeleteOptions',
    object: {
      kind: 'DeleteOptions',
      apiVersion: 'apps/v1',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    },
  });
});

test('RawExtension: JSON raw bytes, or an embedded protobuf object', () => {
  const json = decode(
    'apps/v1',
    'ControllerRevision',
    objectMeta(1, { name: 'r1' }),
    bytes(2, msg(1, Buffer.from('{"spec":{"x":1}}'))),
    int64(3, 2),
  );
  assert.deepEqual(json.object, {
    kind: 'ControllerRevision',
    apiVersion: 'apps/v1',
    metadata: { name: 'r1' },
    data: { spec: { x: 1 } },
    revision: 2,
  });
  const inner = envelope('v1', 'ConfigMap', cat(objectMeta(1, { name: 'c' }), strMap(2, { a: 'b' })));
  const embedded = decode('apps/v1', 'ControllerRevision', msg(2, bytes(1, inner)), int64(3, 1));
  assert.deepEqual(embedded.object['data'], {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'c' },
    data: { a: 'b' },
  });
  const none = decode('apps/v1', 'ControllerRevision', int64(3, 1));
  assert.deepEqual(none.object, {
    kind: 'ControllerRevision',
    apiVersion: 'apps/v1',
    metadata: {},
    data: null,
    revision: 1,
  });
});

test('Lease: MicroTime keeps microseconds; managedFields carry FieldsV1 as JSON', () => {
  const micro = (no: number, seconds: number, nanos: number) => msg(no, int64(1, seconds), int32(2, nanos));
  const got = decode(
    'coordination.k8s.io/v1',
    'Lease',
    msg(
      1,
      str(1, 'node-1'),
      msg(
        17,
        str(1, 'kubelet'),
        str(2, 'Update'),
        str(3, 'coordination.k8s.io/v1'),
        time(4, '2024-05-06T07:08:09Z'),
        str(6, 'FieldsV1'),
        msg(7, bytes(1, Buffer.from('{"f:spec":{"f:holderIdentity":{}}}'))),
      ),
    ),
    msg(2, str(1, 'node-1'), int32(2, 40), micro(3, 1704164645, 123456789), micro(4, 1704164645, 0)),
  );
  assert.deepEqual(got.object, {
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
    metadata: {
      name: 'node-1',
      managedFields: [
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'coordination.k8s.io/v1',
          time: '2024-05-06T07:08:09Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:holderIdentity': {} } },
        },
      ],
    },
    spec: {
      holderIdentity: 'node-1',
      leaseDurationSeconds: 40,
      acquireTime: '2024-01-02T03:04:05.123456Z',
      renewTime: '2024-01-02T03:04:05.000000Z',
    },
  });
});

test('unknown fields, including groups, are skipped; a repeated singular message merges', () => {
  const got = decode(
    'v1',
    'Namespace',
    str(1000, 'future field'),
    group(99, int32(1, 1), group(100, str(2, 'nested'))),
    msg(1, str(1, 'a')),
    msg(1, strMap(11, { x: 'y' })),
    int64(2000, 7),
  );
  assert.deepEqual(got.object, {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: { name: 'a', labels: { x: 'y' } },
    spec: {},
    status: {},
  });
});
