/** core/v1 resources. */
import type { FieldError } from '../../apimachinery/errors.js';
import { forbiddenField, invalidValue, notSupported, required } from '../../apimachinery/meta.js';
import { jsonEqual } from '../../apimachinery/json.js';
import type { JsonValue } from '../../apimachinery/json.js';
import type { KubeObject } from '../../apimachinery/meta.js';
import { podQosClass } from '../core/pod-qos.js';
import { podPrintCells } from '../core/pod-status-text.js';
import { defaultService, prepareServiceUpdate, validateService } from '../core/service.js';
import { AGE, age, arr, at, col, humanDuration, labelString, num, rec, str, text } from '../printing.js';
import type { ResourceDefinition } from '../types.js';

const core = (d: Omit<ResourceDefinition, 'group' | 'version'>): ResourceDefinition => ({
  group: '',
  version: 'v1',
  ...d,
});

const NAME_DESC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export { NAME_DESC };

function immutable(
  field: string,
  a: unknown,
  b: unknown,
  errs: FieldError[],
  detail = 'field is immutable',
): void {
  if (JSON.stringify(a) !== JSON.stringify(b))
    errs.push({
      type: 'FieldValueInvalid',
      field,
      detail: `Invalid value: ${JSON.stringify(a ?? null)}: ${detail}`,
    });
}

export function validatePodSpec(spec: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const containers = arr(spec['containers']);
  if (containers.length === 0) errs.push(required(`${path}.containers`));
  const names = new Set<string>();
  for (const [i, c] of [
    ...arr(spec['initContainers']).map((c) => ['initContainers', c] as const),
    ...containers.map((c) => ['containers', c] as const),
  ].entries()) {
    const [kind, ctr] = c;
    const idx = kind === 'containers' ? i - arr(spec['initContainers']).length : i;
    const p = `${path}.${kind}[${idx}]`;
    const name = ctr['name'];
    if (typeof name !== 'string' || name === '') errs.push(required(`${p}.name`));
    else if (names.has(name))
      errs.push({
        type: 'FieldValueDuplicate',
        field: `${p}.name`,
        detail: `Duplicate value: ${JSON.stringify(name)}`,
      });
    else names.add(name);
    if (typeof ctr['image'] !== 'string' || ctr['image'] === '') errs.push(required(`${p}.image`));
  }
  const rp = spec['restartPolicy'];
  if (rp !== undefined && !['Always', 'OnFailure', 'Never'].includes(text(rp)))
    errs.push(notSupported(`${path}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']));
  return errs;
}

export function defaultPodSpec(spec: Record<string, unknown>): void {
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['securityContext'] ??= {};
  spec['schedulerName'] ??= 'default-scheduler';
  for (const c of [...arr(spec['containers']), ...arr(spec['initContainers'])]) {
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['terminationMessagePolicy'] ??= 'File';
    c['imagePullPolicy'] ??=
      text(c['image'] ?? '').endsWith(':latest') || !text(c['image'] ?? '').includes(':')
        ? 'Always'
        : 'IfNotPresent';
    c['resources'] ??= {};
    for (const p of arr(c['ports'])) p['protocol'] ??= 'TCP';
  }
}

const servicePorts = (svc: KubeObject): string => {
  const ports = arr(at(svc, 'spec.ports'));
  if (!ports.length) return '<none>';
  return ports
    .map(
      (p) =>
        `${text(p['port'])}${p['nodePort'] ? `:${text(p['nodePort'])}` : ''}/${text(p['protocol'] ?? 'TCP')}`,
    )
    .join(',');
};

/** The wide columns workload tables end with: the template's containers and images, and the selector. */
export const WORKLOAD_WIDE_COLUMNS = [
  col('Containers', 'Names of each container in the template.', 1),
  col('Images', 'Images referenced by each container in the template.', 1),
  col('Selector', 'Label selector for pods.', 1),
];

/** The cells of WORKLOAD_WIDE_COLUMNS. */
export function workloadWideCells(podSpec: unknown, selector: string): [string, string, string] {
  return [...containersImages(podSpec), selector];
}

export const coreResources: ResourceDefinition[] = [
  core({
    kind: 'Namespace',
    resource: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    nameRule: 'label',
    subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['finalizers'] ??= ['kubernetes'];
      const status = rec((o['status'] ??= {}));
      status['phase'] ??= 'Active';
      const labels = (o.metadata!.labels ??= {});
      labels['kubernetes.io/metadata.name'] = o.metadata!.name!;
    },
    columns: [col('Status', 'The status of the namespace'), AGE],
    cells: (o) => [str(at(o, 'status.phase'), ''), age(o)],
    selectableFields: { 'status.phase': (o) => str(at(o, 'status.phase'), '') },
  }),
  core({
    kind: 'Pod',
    resource: 'pods',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    subresources: [
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      defaultPodSpec(spec);
      // SetDefaults_Pod: a limit without a request makes the request, and service links are on.
      for (const c of [...arr(spec['containers']), ...arr(spec['initContainers'])]) {
        const resources = rec((c['resources'] ??= {}));
        const limits = resources['limits'];
        if (!limits || typeof limits !== 'object') continue;
        const requests = rec((resources['requests'] ??= {}));
        for (const [name, q] of Object.entries(limits)) requests[name] ??= q;
      }
      spec['enableServiceLinks'] ??= true;
      const status = rec((o['status'] ??= {}));
      status['phase'] ??= 'Pending';
      status['qosClass'] ??= podQosClass(spec);
    },
    validate(o, old) {
      const errs = validatePodSpec(rec(o['spec']), 'spec');
      if (old) {
        const a = structuredClone(rec(o['spec']));
        const b = structuredClone(rec(old['spec']));
        // Only images, activeDeadlineSeconds and tolerations additions may change on a running pod.
        for (const s of [a, b]) {
          for (const c of [...arr(s['containers']), ...arr(s['initContainers'])]) delete c['image'];
          delete s['activeDeadlineSeconds'];
          delete s['tolerations'];
          if (!b['nodeName']) delete s['nodeName'];
        }
        // Set by Priority admission at create; an update that leaves them out keeps them (admission
        // copies them over), so leaving them out is not a change.
        for (const f of ['priority', 'preemptionPolicy']) if (a[f] === undefined) delete b[f];
        if (!jsonEqual(a as JsonValue, b as JsonValue))
          errs.push(
            forbiddenField(
              'spec',
              'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
            ),
          );
      }
      return errs;
    },
    columns: [
      col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'The aggregate status of the containers in this pod.'),
      col(
        'Restarts',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      col(
        'IP',
        'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
        1,
      ),
      col('Node', 'NodeName is a request to schedule this pod onto a specific node.', 1),
      col('Nominated Node', 'nominatedNodeName is set when this pod preempts other pods on the node.', 1),
      col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
    ],
    cells(o) {
      const p = podPrintCells(o);
      const gates = arr(at(o, 'spec.readinessGates'));
      const conds = arr(at(o, 'status.conditions'));
      const gatesText = gates.length
        ? `${gates.filter((g) => conds.some((c) => c['type'] === g['conditionType'] && c['status'] === 'True')).length}/${gates.length}`
        : '<none>';
      return [
        p.ready,
        p.status,
        p.restarts,
        age(o),
        str(at(o, 'status.podIP')),
        str(at(o, 'spec.nodeName')),
        str(at(o, 'status.nominatedNodeName')),
        gatesText,
      ];
    },
    selectableFields: {
      'spec.nodeName': (o) => str(at(o, 'spec.nodeName'), ''),
      'spec.restartPolicy': (o) => str(at(o, 'spec.restartPolicy'), ''),
      'spec.schedulerName': (o) => str(at(o, 'spec.schedulerName'), ''),
      'spec.serviceAccountName': (o) => str(at(o, 'spec.serviceAccountName'), ''),
      'spec.hostNetwork': (o) => text(at(o, 'spec.hostNetwork') === true),
      'status.phase': (o) => str(at(o, 'status.phase'), ''),
      'status.podIP': (o) => str(at(o, 'status.podIP'), ''),
      'status.nominatedNodeName': (o) => str(at(o, 'status.nominatedNodeName'), ''),
    },
  }),
  core({
    kind: 'Service',
    resource: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    status: true,
    nameRule: 'label',
    subresources: [
      { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
    ],
    // Service strategy: src/api/core/service.ts; IP and port allocation: src/apiserver/allocators/.
    defaults: defaultService,
    validate: validateService,
    prepareForUpdate: prepareServiceUpdate,
    columns: [
      col('Type', 'type determines how the Service is exposed.'),
      col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      col(
        'External-IP',
        'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      ),
      col('Port(s)', 'The list of ports that are exposed by this service.'),
      AGE,
      col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
    ],
    cells(o) {
      const spec = rec(o['spec']);
      const lbIngress = arr(at(o, 'status.loadBalancer.ingress')).map((i) => text(i['ip'] ?? i['hostname']));
      const ext = [...arr<string>(spec['externalIPs']), ...lbIngress];
      const external =
        spec['type'] === 'ExternalName'
          ? str(spec['externalName'])
          : ext.length
            ? ext.join(',')
            : spec['type'] === 'LoadBalancer'
              ? '<pending>'
              : '<none>';
      return [
        str(spec['type']),
        str(spec['clusterIP']),
        external,
        servicePorts(o),
        age(o),
        labelString(spec['selector']),
      ];
    },
    selectableFields: {
      'spec.clusterIP': (o) => str(at(o, 'spec.clusterIP'), ''),
      'spec.type': (o) => str(at(o, 'spec.type'), ''),
    },
  }),
  core({
    kind: 'Endpoints',
    resource: 'endpoints',
    singular: 'endpoints',
    namespaced: true,
    shortNames: ['ep'],
    generationOnAnyChange: true,
    defaults(o) {
      for (const subset of arr(o['subsets'])) for (const p of arr(subset['ports'])) p['protocol'] ??= 'TCP';
    },
    columns: [col('Endpoints', 'Endpoints is the list of endpoints.'), AGE],
    cells(o) {
      const eps: string[] = [];
      for (const s of arr(o['subsets']))
        for (const a of arr(s['addresses']))
          for (const p of arr(s['ports']).length ? arr(s['ports']) : [{}])
            eps.push(p['port'] ? `${text(a['ip'])}:${text(p['port'])}` : text(a['ip']));
      return [
        eps.length
          ? eps.length > 3
            ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...`
            : eps.join(',')
          : '<none>',
        age(o),
      ];
    },
  }),
  core({
    kind: 'Node',
    resource: 'nodes',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    status: true,
    subresources: [
      { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
    ],
    columns: [
      col('Status', 'The status of the node'),
      col('Roles', 'The roles of the node'),
      AGE,
      col('Version', 'Kubelet Version reported by the node.'),
      col('Internal-IP', 'List of addresses reachable to the node.', 1),
      col('External-IP', 'List of addresses reachable to the node.', 1),
      col(
        'OS-Image',
        'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
        1,
      ),
      col(
        'Kernel-Version',
        'Kernel Version reported by the node from `uname -r` (e.g. 3.16.0-0.bpo.4-amd64).',
        1,
      ),
      col(
        'Container-Runtime',
        'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
        1,
      ),
    ],
    cells(o) {
      const ready = arr(at(o, 'status.conditions')).find((c) => c['type'] === 'Ready');
      // As kubectl prints it: a Ready condition that is not True (False or Unknown) is NotReady.
      let status = ready ? (ready['status'] === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
      if (at(o, 'spec.unschedulable') === true) status += ',SchedulingDisabled';
      const roles = Object.keys(o.metadata?.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length));
      const addr = (t: string) =>
        str(arr(at(o, 'status.addresses')).find((a) => a['type'] === t)?.['address']);
      const info = rec(at(o, 'status.nodeInfo'));
      return [
        status,
        roles.length ? roles.sort().join(',') : '<none>',
        age(o),
        str(info['kubeletVersion'], ''),
        addr('InternalIP'),
        addr('ExternalIP'),
        str(info['osImage'], '<unknown>'),
        str(info['kernelVersion'], '<unknown>'),
        str(info['containerRuntimeVersion'], '<unknown>'),
      ];
    },
    selectableFields: { 'spec.unschedulable': (o) => text(at(o, 'spec.unschedulable') === true) },
  }),
  core({
    kind: 'ConfigMap',
    resource: 'configmaps',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
    generationOnAnyChange: true,
    validate(o, old) {
      const errs: FieldError[] = [];
      for (const k of [...Object.keys(rec(o['data'])), ...Object.keys(rec(o['binaryData']))])
        if (!/^[-._a-zA-Z0-9]+$/.test(k))
          errs.push(
            invalidValue(
              `data`,
              k,
              "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            ),
          );
      if (old && old['immutable'] === true)
        immutable('data', o['data'], old['data'], errs, 'field is immutable when `immutable` is set');
      return errs;
    },
    columns: [col('Data', 'Number of data entries'), AGE],
    cells: (o) => [Object.keys(rec(o['data'])).length + Object.keys(rec(o['binaryData'])).length, age(o)],
  }),
  core({
    kind: 'Secret',
    resource: 'secrets',
    singular: 'secret',
    namespaced: true,
    generationOnAnyChange: true,
    defaults(o) {
      o['type'] ??= 'Opaque';
      // stringData is write-only: its values are folded into data (base64), overriding data's.
      const stringData = rec(o['stringData']);
      if (Object.keys(stringData).length) {
        const data = rec((o['data'] ??= {}));
        for (const [k, v] of Object.entries(stringData))
          data[k] = Buffer.from(text(v), 'utf8').toString('base64');
      }
      delete o['stringData'];
    },
    validate(o, old) {
      const errs: FieldError[] = [];
      for (const [k, v] of Object.entries(rec(o['data']))) {
        if (!/^[-._a-zA-Z0-9]+$/.test(k))
          errs.push(
            invalidValue(
              `data[${k}]`,
              k,
              "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            ),
          );
        if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
          errs.push(invalidValue(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
      }
      if (o['type'] === 'kubernetes.io/tls')
        for (const key of ['tls.crt', 'tls.key'])
          if (!(key in rec(o['data']))) errs.push(required(`data[${key}]`));
      if (old && old['type'] !== o['type']) immutable('type', o['type'], old['type'], errs);
      if (old && old['immutable'] === true)
        immutable(
          'data',
          '<secret contents redacted>',
          old['data'] === o['data']
            ? '<secret contents redacted>'
            : JSON.stringify(old['data']) === JSON.stringify(o['data'])
              ? '<secret contents redacted>'
              : 'changed',
          errs,
          'field is immutable when `immutable` is set',
        );
      return errs;
    },
    columns: [col('Type', 'The type of the secret'), col('Data', 'Number of data entries'), AGE],
    cells: (o) => [str(o['type'], ''), Object.keys(rec(o['data'])).length, age(o)],
    selectableFields: { type: (o) => str(o['type'], '') },
  }),
  core({
    kind: 'ServiceAccount',
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
    generationOnAnyChange: true,
    subresources: [
      {
        name: 'token',
        group: 'authentication.k8s.io',
        version: 'v1',
        kind: 'TokenRequest',
        verbs: ['create'],
      },
    ],
    columns: [
      col(
        'Secrets',
        'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      ),
      AGE,
    ],
    cells: (o) => [arr(o['secrets']).length, age(o)],
  }),
  core({
    kind: 'Event',
    resource: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    generationOnAnyChange: true,
    nameRule: 'path',
    columns: [
      col('Last Seen', 'The time the event was last seen'),
      col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
      col('Reason', 'A machine understandable string that gives the reason for this event.'),
      col('Object', 'The object this Event is about.'),
      col('Message', 'A human-readable description of the status of this operation.'),
      col('Subobject', 'The field of the object this Event is about.', 1),
      col(
        'Source',
        'The component reporting this event. Should be a short machine understandable string.',
        1,
      ),
      col('First Seen', 'The time the event was first seen.', 1),
      col('Count', 'The number of times this event has occurred.', 1),
      col('Name', NAME_DESC, 1),
    ],
    cells(o) {
      const last = text(o['lastTimestamp'] ?? o['eventTime'] ?? o.metadata?.creationTimestamp ?? '');
      const first = text(o['firstTimestamp'] ?? o['eventTime'] ?? '');
      const since = (t: string) => (t ? humanSince(t) : '<unknown>');
      const io = rec(o['involvedObject']);
      const src = rec(o['source']);
      return [
        since(last),
        str(o['type'], ''),
        str(o['reason'], ''),
        `${text(io['kind'] ?? '').toLowerCase()}/${text(io['name'] ?? '')}`,
        str(o['message'], ''),
        str(io['fieldPath'], ''),
        [src['component'], src['host']].filter(Boolean).join(', '),
        since(first),
        num(o['count']) || 1,
        o.metadata?.name ?? '',
      ];
    },
    selectableFields: {
      'involvedObject.kind': (o) => str(at(o, 'involvedObject.kind'), ''),
      'involvedObject.namespace': (o) => str(at(o, 'involvedObject.namespace'), ''),
      'involvedObject.name': (o) => str(at(o, 'involvedObject.name'), ''),
      'involvedObject.uid': (o) => str(at(o, 'involvedObject.uid'), ''),
      'involvedObject.apiVersion': (o) => str(at(o, 'involvedObject.apiVersion'), ''),
      'involvedObject.resourceVersion': (o) => str(at(o, 'involvedObject.resourceVersion'), ''),
      'involvedObject.fieldPath': (o) => str(at(o, 'involvedObject.fieldPath'), ''),
      reason: (o) => str(o['reason'], ''),
      reportingComponent: (o) => str(o['reportingComponent'], ''),
      source: (o) => str(at(o, 'source.component'), ''),
      type: (o) => str(o['type'], ''),
    },
  }),
  core({
    kind: 'PersistentVolume',
    resource: 'persistentvolumes',
    singular: 'persistentvolume',
    namespaced: false,
    shortNames: ['pv'],
    status: true,
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['persistentVolumeReclaimPolicy'] ??= 'Retain';
      spec['volumeMode'] ??= 'Filesystem';
      o['status'] ??= { phase: 'Pending' };
    },
    columns: [
      col('Capacity', ''),
      col('Access Modes', ''),
      col('Reclaim Policy', ''),
      col('Status', ''),
      col('Claim', ''),
      col('StorageClass', ''),
      col('VolumeAttributesClass', '', 0),
      col('Reason', ''),
      AGE,
      col('VolumeMode', '', 1),
    ],
    cells(o) {
      const spec = rec(o['spec']);
      const claim = rec(spec['claimRef']);
      return [
        str(at(o, 'spec.capacity.storage'), ''),
        accessModes(spec['accessModes']),
        str(spec['persistentVolumeReclaimPolicy'], ''),
        str(at(o, 'status.phase'), ''),
        claim['name'] ? `${text(claim['namespace'])}/${text(claim['name'])}` : '',
        str(spec['storageClassName'], ''),
        '<unset>',
        str(at(o, 'status.reason'), ''),
        age(o),
        str(spec['volumeMode'], ''),
      ];
    },
  }),
  core({
    kind: 'PersistentVolumeClaim',
    resource: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    namespaced: true,
    shortNames: ['pvc'],
    status: true,
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['volumeMode'] ??= 'Filesystem';
      o['status'] ??= { phase: 'Pending' };
    },
    validate(o) {
      const errs: FieldError[] = [];
      const spec = rec(o['spec']);
      if (arr(spec['accessModes']).length === 0)
        errs.push(required('spec.accessModes', 'at least 1 access mode is required'));
      if (!at(spec, 'resources.requests.storage')) errs.push(required('spec.resources[storage]'));
      return errs;
    },
    columns: [
      col('Status', ''),
      col('Volume', ''),
      col('Capacity', ''),
      col('Access Modes', ''),
      col('StorageClass', ''),
      col('VolumeAttributesClass', ''),
      AGE,
      col('VolumeMode', '', 1),
    ],
    cells(o) {
      const spec = rec(o['spec']);
      return [
        str(at(o, 'status.phase'), ''),
        str(spec['volumeName'], ''),
        str(at(o, 'status.capacity.storage'), ''),
        accessModes(at(o, 'status.accessModes')),
        str(spec['storageClassName'], ''),
        '<unset>',
        age(o),
        str(spec['volumeMode'], ''),
      ];
    },
  }),
  core({
    kind: 'ReplicationController',
    resource: 'replicationcontrollers',
    singular: 'replicationcontroller',
    namespaced: true,
    shortNames: ['rc'],
    categories: ['all'],
    status: true,
    scale: {
      specReplicasPath: 'spec.replicas',
      statusReplicasPath: 'status.replicas',
      labelSelectorPath: 'status.selector',
    },
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['replicas'] ??= 1;
      const tmpl = rec(spec['template']);
      spec['selector'] ??= { ...rec(at(tmpl, 'metadata.labels')) };
      if (!o.metadata!.labels)
        o.metadata!.labels = { ...rec(at(tmpl, 'metadata.labels')) } as Record<string, string>;
      defaultPodSpec(rec((tmpl['spec'] ??= {})));
      o['status'] ??= { replicas: 0 };
    },
    columns: [col('Desired', ''), col('Current', ''), col('Ready', ''), AGE, ...WORKLOAD_WIDE_COLUMNS],
    cells: (o) => [
      num(at(o, 'spec.replicas')),
      num(at(o, 'status.replicas')),
      num(at(o, 'status.readyReplicas')),
      age(o),
      ...workloadWideCells(at(o, 'spec.template.spec'), labelString(at(o, 'spec.selector'))),
    ],
    selectableFields: { 'status.replicas': (o) => text(num(at(o, 'status.replicas'))) },
  }),
  core({
    kind: 'ResourceQuota',
    resource: 'resourcequotas',
    singular: 'resourcequota',
    namespaced: true,
    shortNames: ['quota'],
    status: true,
    columns: [AGE, col('Request', ''), col('Limit', '')],
    cells(o) {
      const hard = rec(at(o, 'spec.hard'));
      const used = rec(at(o, 'status.used'));
      const fmt = (keys: string[]) =>
        keys.map((k) => `${k}: ${str(used[k], '0')}/${str(hard[k], '')}`).join(', ');
      const limits = Object.keys(hard).filter((k) => k.startsWith('limits.'));
      const requests = Object.keys(hard).filter((k) => !k.startsWith('limits.'));
      return [age(o), fmt(requests), fmt(limits)];
    },
  }),
  core({
    kind: 'LimitRange',
    resource: 'limitranges',
    singular: 'limitrange',
    namespaced: true,
    shortNames: ['limits'],
    generationOnAnyChange: true,
    columns: [
      col(
        'Created At',
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
        0,
        'date',
      ),
    ],
    cells: (o) => [o.metadata?.creationTimestamp ?? ''],
  }),
  core({
    kind: 'PodTemplate',
    resource: 'podtemplates',
    singular: 'podtemplate',
    namespaced: true,
    generationOnAnyChange: true,
  }),
];

/** Event times print with the same HumanDuration as AGE. */
function humanSince(t: string): string {
  const ms = Date.now() - Date.parse(t);
  return Number.isNaN(ms) ? '<unknown>' : humanDuration(Math.max(ms, 0));
}

function accessModes(v: unknown): string {
  const short: Record<string, string> = {
    ReadWriteOnce: 'RWO',
    ReadOnlyMany: 'ROX',
    ReadWriteMany: 'RWX',
    ReadWriteOncePod: 'RWOP',
  };
  return arr<string>(v)
    .map((m) => short[m] ?? m)
    .join(',');
}

/** The CONTAINERS and IMAGES cells of workload tables. */
export function containersImages(podSpec: unknown): [string, string] {
  const cs = arr(rec(podSpec)['containers']);
  return [cs.map((c) => text(c['name'])).join(','), cs.map((c) => text(c['image'])).join(',')];
}
