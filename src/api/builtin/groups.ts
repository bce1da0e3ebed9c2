/** Resources of the named API groups: apps, batch, networking, rbac, storage, and the rest the seeds use. */
import type { FieldError } from '../../apimachinery/errors.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { LabelSelectorSpec } from '../../apimachinery/labels/index.js';
import { invalidValue, notSupported, required } from '../../apimachinery/meta.js';
import type { KubeObject } from '../../apimachinery/meta.js';
import { EVENTS_V1_SELECTABLE_FIELDS, eventsV1Conversion } from '../conversion/events.js';
import { hpaV1Conversion } from '../conversion/hpa.js';
import { servedFrom } from '../conversion/served-from.js';
import {
  AGE,
  age,
  arr,
  at,
  col,
  humanDuration as humanDur,
  labelString,
  num,
  rec,
  selectorString,
  str,
  text,
} from '../printing.js';
import { prepareCsrUpdate, prepareCsrCreate, validateCsr } from '../certificates/csr-strategy.js';
import { nonNegative, validateCronSchedule, validateJobSpec, validateTimeZone } from './batch-validation.js';
import type { ResourceDefinition } from '../types.js';
import {
  WORKLOAD_WIDE_COLUMNS,
  coreResources,
  containersImages,
  defaultPodSpec,
  validatePodSpec,
  workloadWideCells,
} from './core.js';

const inGroup =
  (group: string, version = 'v1') =>
  (d: Omit<ResourceDefinition, 'group' | 'version'>): ResourceDefinition => ({ group, version, ...d });

const apps = inGroup('apps');
const batch = inGroup('batch');
const networking = inGroup('networking.k8s.io');
const rbac = inGroup('rbac.authorization.k8s.io');

/** Whether a metav1.LabelSelector selects these labels; a selector that cannot be parsed selects nothing. */
function labelsMatch(selector: unknown, labels: Record<string, unknown>): boolean {
  try {
    return selectorFromLabelSelector(selector as LabelSelectorSpec).matches(labels as Record<string, string>);
  } catch {
    return false;
  }
}

/** The checks every workload with `selector` + `template` shares (Deployment, ReplicaSet, StatefulSet, DaemonSet). */
function validateWorkload(
  o: KubeObject,
  old: KubeObject | undefined,
  opts: { selectorImmutable: boolean },
): FieldError[] {
  const errs: FieldError[] = [];
  const spec = rec(o['spec']);
  const selector = spec['selector'];
  const labels = rec(at(spec, 'template.metadata.labels'));
  if (
    !selector ||
    (Object.keys(rec(rec(selector)['matchLabels'])).length === 0 &&
      arr(rec(selector)['matchExpressions']).length === 0)
  ) {
    errs.push(required('spec.selector'));
    errs.push(
      invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'),
    );
  } else if (!labelsMatch(selector, labels)) {
    errs.push(
      invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'),
    );
  }
  const replicas = spec['replicas'];
  if (replicas !== undefined && (typeof replicas !== 'number' || replicas < 0))
    errs.push(invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0'));
  errs.push(...validatePodSpec(rec(at(spec, 'template.spec')), 'spec.template.spec'));
  if (old && opts.selectorImmutable && JSON.stringify(selector) !== JSON.stringify(at(old, 'spec.selector')))
    errs.push(invalidValue('spec.selector', selector, 'field is immutable'));
  return errs;
}

function defaultTemplate(spec: Record<string, unknown>): void {
  const tmpl = rec((spec['template'] ??= {}));
  tmpl['metadata'] ??= {};
  defaultPodSpec(rec((tmpl['spec'] ??= {})));
}

const workloadSelectorField = { labelSelectorPath: 'status.selector' };

export const groupResources: ResourceDefinition[] = [
  apps({
    kind: 'Deployment',
    resource: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    status: true,
    scale: {
      specReplicasPath: 'spec.replicas',
      statusReplicasPath: 'status.replicas',
      ...workloadSelectorField,
    },
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['replicas'] ??= 1;
      spec['revisionHistoryLimit'] ??= 10;
      spec['progressDeadlineSeconds'] ??= 600;
      const strategy = rec((spec['strategy'] ??= {}));
      strategy['type'] ??= 'RollingUpdate';
      if (strategy['type'] === 'RollingUpdate') {
        const ru = rec((strategy['rollingUpdate'] ??= {}));
        ru['maxUnavailable'] ??= '25%';
        ru['maxSurge'] ??= '25%';
      }
      defaultTemplate(spec);
      o['status'] ??= {};
    },
    validate(o, old) {
      const errs = validateWorkload(o, old, { selectorImmutable: true });
      const type = at(o, 'spec.strategy.type');
      if (!['RollingUpdate', 'Recreate'].includes(text(type)))
        errs.push(notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
      return errs;
    },
    columns: [
      col('Ready', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      col(
        'Available',
        'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      ),
      AGE,
      ...WORKLOAD_WIDE_COLUMNS,
    ],
    cells: (o) => [
      `${num(at(o, 'status.readyReplicas'))}/${num(at(o, 'spec.replicas'))}`,
      num(at(o, 'status.updatedReplicas')),
      num(at(o, 'status.availableReplicas')),
      age(o),
      ...workloadWideCells(at(o, 'spec.template.spec'), selectorString(at(o, 'spec.selector'))),
    ],
  }),
  apps({
    kind: 'ReplicaSet',
    resource: 'replicasets',
    singular: 'replicaset',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    status: true,
    scale: {
      specReplicasPath: 'spec.replicas',
      statusReplicasPath: 'status.replicas',
      ...workloadSelectorField,
    },
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['replicas'] ??= 1;
      defaultTemplate(spec);
      o['status'] ??= { replicas: 0 };
    },
    validate: (o, old) => validateWorkload(o, old, { selectorImmutable: true }),
    columns: [
      col('Desired', 'Replicas is the number of desired replicas.'),
      col('Current', 'Replicas is the most recently observed number of replicas.'),
      col('Ready', 'The number of ready replicas for this replica set.'),
      AGE,
      ...WORKLOAD_WIDE_COLUMNS,
    ],
    cells: (o) => [
      num(at(o, 'spec.replicas')),
      num(at(o, 'status.replicas')),
      num(at(o, 'status.readyReplicas')),
      age(o),
      ...workloadWideCells(at(o, 'spec.template.spec'), selectorString(at(o, 'spec.selector'))),
    ],
    selectableFields: { 'status.replicas': (o) => text(num(at(o, 'status.replicas'))) },
  }),
  apps({
    kind: 'StatefulSet',
    resource: 'statefulsets',
    singular: 'statefulset',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    status: true,
    scale: {
      specReplicasPath: 'spec.replicas',
      statusReplicasPath: 'status.replicas',
      ...workloadSelectorField,
    },
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['replicas'] ??= 1;
      spec['podManagementPolicy'] ??= 'OrderedReady';
      spec['revisionHistoryLimit'] ??= 10;
      const strategy = rec((spec['updateStrategy'] ??= {}));
      strategy['type'] ??= 'RollingUpdate';
      if (strategy['type'] === 'RollingUpdate') rec((strategy['rollingUpdate'] ??= {}))['partition'] ??= 0;
      spec['persistentVolumeClaimRetentionPolicy'] ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      defaultTemplate(spec);
      o['status'] ??= { replicas: 0, availableReplicas: 0 };
    },
    validate: (o, old) => validateWorkload(o, old, { selectorImmutable: true }),
    columns: [
      col('Ready', 'Number of the pod with ready state'),
      AGE,
      col('Containers', '', 1),
      col('Images', '', 1),
    ],
    cells: (o) => [
      `${num(at(o, 'status.readyReplicas'))}/${num(at(o, 'spec.replicas'))}`,
      age(o),
      ...containersImages(at(o, 'spec.template.spec')),
    ],
  }),
  apps({
    kind: 'DaemonSet',
    resource: 'daemonsets',
    singular: 'daemonset',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    status: true,
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['revisionHistoryLimit'] ??= 10;
      const strategy = rec((spec['updateStrategy'] ??= {}));
      strategy['type'] ??= 'RollingUpdate';
      if (strategy['type'] === 'RollingUpdate') {
        const ru = rec((strategy['rollingUpdate'] ??= {}));
        ru['maxUnavailable'] ??= 1;
        ru['maxSurge'] ??= 0;
      }
      defaultTemplate(spec);
      o['status'] ??= {
        currentNumberScheduled: 0,
        numberMisscheduled: 0,
        desiredNumberScheduled: 0,
        numberReady: 0,
      };
    },
    validate: (o, old) => validateWorkload(o, old, { selectorImmutable: true }),
    columns: [
      col('Desired', ''),
      col('Current', ''),
      col('Ready', ''),
      col('Up-to-date', ''),
      col('Available', ''),
      col('Node Selector', ''),
      AGE,
      ...WORKLOAD_WIDE_COLUMNS,
    ],
    cells: (o) => [
      num(at(o, 'status.desiredNumberScheduled')),
      num(at(o, 'status.currentNumberScheduled')),
      num(at(o, 'status.numberReady')),
      num(at(o, 'status.updatedNumberScheduled')),
      num(at(o, 'status.numberAvailable')),
      labelString(at(o, 'spec.template.spec.nodeSelector')),
      age(o),
      ...workloadWideCells(at(o, 'spec.template.spec'), selectorString(at(o, 'spec.selector'))),
    ],
  }),
  apps({
    kind: 'ControllerRevision',
    resource: 'controllerrevisions',
    singular: 'controllerrevision',
    namespaced: true,
    generationOnAnyChange: true,
    columns: [col('Controller', ''), col('Revision', ''), AGE],
    cells(o) {
      const owner = (o.metadata?.ownerReferences ?? []).find((r) => r.controller);
      return [
        owner ? `${owner.kind.toLowerCase()}.${owner.apiVersion.split('/')[0]}/${owner.name}` : '<none>',
        num(o['revision']),
        age(o),
      ];
    },
  }),
  batch({
    kind: 'Job',
    resource: 'jobs',
    singular: 'job',
    namespaced: true,
    categories: ['all'],
    status: true,
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      // Both unset means one pod to run once; parallelism alone leaves completions unset (a work queue).
      if (spec['completions'] === undefined && spec['parallelism'] === undefined) spec['completions'] = 1;
      spec['parallelism'] ??= 1;
      spec['backoffLimit'] ??= 6;
      spec['completionMode'] ??= 'NonIndexed';
      spec['suspend'] ??= false;
      spec['podReplacementPolicy'] ??= 'TerminatingOrFailed';
      spec['manualSelector'] ??= undefined;
      if (spec['manualSelector'] === undefined) delete spec['manualSelector'];
      const tmpl = rec((spec['template'] ??= {}));
      const uid = o.metadata!.uid!;
      const meta = rec((tmpl['metadata'] ??= {}));
      if (spec['manualSelector'] !== true) {
        const labels = rec((meta['labels'] ??= {}));
        labels['batch.kubernetes.io/controller-uid'] ??= uid;
        labels['batch.kubernetes.io/job-name'] ??= o.metadata!.name!;
        labels['controller-uid'] ??= uid;
        labels['job-name'] ??= o.metadata!.name!;
        spec['selector'] ??= { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
      }
      defaultPodSpec(rec((tmpl['spec'] ??= {})));
      o['status'] ??= {};
    },
    validate(o, old) {
      const errs = validatePodSpec(rec(at(o, 'spec.template.spec')), 'spec.template.spec');
      errs.push(...validateJobSpec(rec(o['spec']), 'spec'));
      const selector = at(o, 'spec.selector');
      if (!selector) errs.push(required('spec.selector'));
      else if (!labelsMatch(selector, rec(at(o, 'spec.template.metadata.labels'))))
        errs.push(
          invalidValue(
            'spec.template.metadata.labels',
            rec(at(o, 'spec.template.metadata.labels')),
            '`selector` does not match template `labels`',
          ),
        );
      if (
        old &&
        JSON.stringify(at(o, 'spec.template')) !== JSON.stringify(at(old, 'spec.template')) &&
        at(old, 'spec.suspend') !== true
      )
        errs.push(invalidValue('spec.template', at(o, 'spec.template'), 'field is immutable'));
      if (old && JSON.stringify(at(o, 'spec.selector')) !== JSON.stringify(at(old, 'spec.selector')))
        errs.push(invalidValue('spec.selector', at(o, 'spec.selector'), 'field is immutable'));
      // Only an Indexed Job may change completions, and only in tandem with parallelism (elastic Jobs).
      const completions = at(o, 'spec.completions');
      if (old && completions !== at(old, 'spec.completions')) {
        const elastic =
          at(o, 'spec.completionMode') === 'Indexed' &&
          completions === at(o, 'spec.parallelism') &&
          at(old, 'spec.completions') === at(old, 'spec.parallelism');
        if (!elastic) errs.push(invalidValue('spec.completions', completions, 'field is immutable'));
      }
      return errs;
    },
    columns: [
      col('Status', 'Status of the job.'),
      col('Completions', 'The completion status of the job'),
      col('Duration', 'Time required to complete the job.'),
      AGE,
      ...WORKLOAD_WIDE_COLUMNS,
    ],
    cells(o) {
      const conds = arr(at(o, 'status.conditions'));
      const has = (t: string) => conds.some((c) => c['type'] === t && c['status'] === 'True');
      const status = has('Complete')
        ? 'Complete'
        : has('Failed')
          ? 'Failed'
          : o.metadata?.deletionTimestamp
            ? 'Terminating'
            : has('Suspended')
              ? 'Suspended'
              : has('FailureTarget')
                ? 'FailureTarget'
                : 'Running';
      const start = at(o, 'status.startTime');
      const end = at(o, 'status.completionTime');
      const duration =
        typeof start === 'string'
          ? humanDur((typeof end === 'string' ? Date.parse(end) : Date.now()) - Date.parse(start))
          : '';
      return [
        status,
        `${num(at(o, 'status.succeeded'))}/${text(at(o, 'spec.completions') ?? 1)}`,
        duration,
        age(o),
        ...workloadWideCells(at(o, 'spec.template.spec'), selectorString(at(o, 'spec.selector'))),
      ];
    },
    selectableFields: { 'status.successful': (o) => text(num(at(o, 'status.succeeded'))) },
  }),
  batch({
    kind: 'CronJob',
    resource: 'cronjobs',
    singular: 'cronjob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    status: true,
    defaults(o) {
      const spec = rec((o['spec'] ??= {}));
      spec['concurrencyPolicy'] ??= 'Allow';
      spec['suspend'] ??= false;
      spec['successfulJobsHistoryLimit'] ??= 3;
      spec['failedJobsHistoryLimit'] ??= 1;
      const jt = rec((spec['jobTemplate'] ??= {}));
      const js = rec((jt['spec'] ??= {}));
      defaultTemplate(js);
      o['status'] ??= {};
    },
    validate(o, old) {
      const errs: FieldError[] = [];
      // Room for the `-<minutes since the epoch>` suffix of the Jobs' names.
      const name = o.metadata?.name ?? '';
      if (!old && name.length > 52)
        errs.push(invalidValue('metadata.name', name, 'must be no more than 52 characters'));
      const schedule = at(o, 'spec.schedule');
      const timeZone = at(o, 'spec.timeZone');
      if (!schedule) errs.push(required('spec.schedule'));
      else
        errs.push(...validateCronSchedule(text(schedule), timeZone, old && text(at(old, 'spec.schedule'))));
      if (timeZone !== undefined && timeZone !== null) errs.push(...validateTimeZone(timeZone));
      const policy = at(o, 'spec.concurrencyPolicy');
      if (!['Allow', 'Forbid', 'Replace'].includes(text(policy)))
        errs.push(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
      for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
        errs.push(...nonNegative(at(o, `spec.${f}`), `spec.${f}`));
      errs.push(
        ...validatePodSpec(
          rec(at(o, 'spec.jobTemplate.spec.template.spec')),
          'spec.jobTemplate.spec.template.spec',
        ),
      );
      const jobSpec = rec(at(o, 'spec.jobTemplate.spec'));
      errs.push(...validateJobSpec(jobSpec, 'spec.jobTemplate.spec'));
      if (jobSpec['selector'] !== undefined)
        errs.push(
          invalidValue(
            'spec.jobTemplate.spec.selector',
            jobSpec['selector'],
            '`selector` will be auto-generated',
          ),
        );
      if (jobSpec['manualSelector'] === true)
        errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
      return errs;
    },
    columns: [
      col('Schedule', ''),
      col('Timezone', ''),
      col('Suspend', ''),
      col('Active', ''),
      col('Last Schedule', ''),
      AGE,
      ...WORKLOAD_WIDE_COLUMNS,
    ],
    cells(o) {
      const last = at(o, 'status.lastScheduleTime');
      return [
        str(at(o, 'spec.schedule'), ''),
        str(at(o, 'spec.timeZone')),
        text(at(o, 'spec.suspend') === true ? 'True' : 'False'),
        arr(at(o, 'status.active')).length,
        typeof last === 'string' ? humanDur(Date.now() - Date.parse(last)) : '<none>',
        age(o),
        ...workloadWideCells(
          at(o, 'spec.jobTemplate.spec.template.spec'),
          selectorString(at(o, 'spec.jobTemplate.spec.selector')),
        ),
      ];
    },
  }),
  networking({
    kind: 'Ingress',
    resource: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    shortNames: ['ing'],
    status: true,
    defaults(o) {
      o['spec'] ??= {};
      o['status'] ??= { loadBalancer: {} };
      for (const r of arr(at(o, 'spec.rules')))
        for (const p of arr(at(r, 'http.paths'))) p['pathType'] ??= 'ImplementationSpecific';
    },
    validate(o) {
      const errs: FieldError[] = [];
      for (const [i, r] of arr(at(o, 'spec.rules')).entries())
        for (const [j, p] of arr(at(r, 'http.paths')).entries()) {
          const pt = p['pathType'];
          if (!['Exact', 'Prefix', 'ImplementationSpecific'].includes(text(pt)))
            errs.push(
              notSupported(`spec.rules[${i}].http.paths[${j}].pathType`, pt, [
                'Exact',
                'Prefix',
                'ImplementationSpecific',
              ]),
            );
          if (pt !== 'ImplementationSpecific' && !text(p['path'] ?? '').startsWith('/'))
            errs.push(
              invalidValue(
                `spec.rules[${i}].http.paths[${j}].path`,
                p['path'] ?? '',
                'must be an absolute path',
              ),
            );
        }
      return errs;
    },
    columns: [col('Class', ''), col('Hosts', ''), col('Address', ''), col('Ports', ''), AGE],
    cells(o) {
      const hosts = arr(at(o, 'spec.rules')).map((r) => text(r['host'] ?? '*'));
      const addrs = arr(at(o, 'status.loadBalancer.ingress')).map((i) => text(i['ip'] ?? i['hostname']));
      return [
        str(at(o, 'spec.ingressClassName')),
        hosts.length ? hosts.join(',') : '*',
        addrs.join(','),
        arr(at(o, 'spec.tls')).length ? '80, 443' : '80',
        age(o),
      ];
    },
  }),
  networking({
    kind: 'IngressClass',
    resource: 'ingressclasses',
    singular: 'ingressclass',
    namespaced: false,
    columns: [col('Controller', ''), col('Parameters', ''), AGE],
    cells: (o) => [str(at(o, 'spec.controller'), ''), str(at(o, 'spec.parameters')), age(o)],
  }),
  networking({
    kind: 'NetworkPolicy',
    resource: 'networkpolicies',
    singular: 'networkpolicy',
    namespaced: true,
    shortNames: ['netpol'],
    columns: [col('Pod-Selector', ''), AGE],
    cells: (o) => [
      selectorString(at(o, 'spec.podSelector')) === '<none>'
        ? '<none>'
        : selectorString(at(o, 'spec.podSelector')),
      age(o),
    ],
  }),
  rbac({
    kind: 'Role',
    resource: 'roles',
    singular: 'role',
    namespaced: true,
    generationOnAnyChange: true,
    nameRule: 'path',
    columns: [col('Created At', '', 0, 'date')],
    cells: (o) => [o.metadata?.creationTimestamp ?? ''],
  }),
  rbac({
    kind: 'ClusterRole',
    resource: 'clusterroles',
    singular: 'clusterrole',
    namespaced: false,
    generationOnAnyChange: true,
    nameRule: 'path',
    columns: [col('Created At', '', 0, 'date')],
    cells: (o) => [o.metadata?.creationTimestamp ?? ''],
  }),
  rbac({
    kind: 'RoleBinding',
    resource: 'rolebindings',
    singular: 'rolebinding',
    namespaced: true,
    generationOnAnyChange: true,
    nameRule: 'path',
    validate: validateBinding,
    columns: [col('Role', ''), AGE, col('Users', '', 1), col('Groups', '', 1), col('ServiceAccounts', '', 1)],
    cells: bindingCells,
  }),
  rbac({
    kind: 'ClusterRoleBinding',
    resource: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    namespaced: false,
    generationOnAnyChange: true,
    nameRule: 'path',
    validate: validateBinding,
    columns: [col('Role', ''), AGE, col('Users', '', 1), col('Groups', '', 1), col('ServiceAccounts', '', 1)],
    cells: bindingCells,
  }),
  inGroup('storage.k8s.io')({
    kind: 'StorageClass',
    resource: 'storageclasses',
    singular: 'storageclass',
    namespaced: false,
    shortNames: ['sc'],
    generationOnAnyChange: true,
    defaults(o) {
      o['reclaimPolicy'] ??= 'Delete';
      o['volumeBindingMode'] ??= 'Immediate';
    },
    validate(o, old) {
      const errs: FieldError[] = [];
      if (!o['provisioner']) errs.push(required('provisioner'));
      if (old)
        for (const f of ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode'])
          if (JSON.stringify(o[f]) !== JSON.stringify(old[f]))
            errs.push({
              type: 'FieldValueForbidden',
              field: f,
              detail: 'Forbidden: updates to ' + f + ' are forbidden.',
            });
      return errs;
    },
    columns: [
      col('Provisioner', ''),
      col('ReclaimPolicy', ''),
      col('VolumeBindingMode', ''),
      col('AllowVolumeExpansion', ''),
      AGE,
    ],
    cells(o) {
      const isDefault = o.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
      return [
        str(o['provisioner'], ''),
        str(o['reclaimPolicy'], ''),
        str(o['volumeBindingMode'], ''),
        text(o['allowVolumeExpansion'] === true),
        age(o),
        isDefault,
      ];
    },
  }),
  inGroup('coordination.k8s.io')({
    kind: 'Lease',
    resource: 'leases',
    singular: 'lease',
    namespaced: true,
    columns: [col('Holder', ''), AGE],
    cells: (o) => [str(at(o, 'spec.holderIdentity'), ''), age(o)],
  }),
  inGroup('discovery.k8s.io')({
    kind: 'EndpointSlice',
    resource: 'endpointslices',
    singular: 'endpointslice',
    namespaced: true,
    generationOnAnyChange: true,
    defaults(o) {
      for (const p of arr(o['ports'])) {
        p['name'] ??= '';
        p['protocol'] ??= 'TCP';
      }
    },
    columns: [col('AddressType', ''), col('Ports', ''), col('Endpoints', ''), AGE],
    cells(o) {
      const ports = arr(o['ports']).map((p) => text(p['port']));
      const eps = arr(o['endpoints']).flatMap((e) => arr<string>(e['addresses']));
      return [
        str(o['addressType'], ''),
        ports.length ? ports.join(',') : '<unset>',
        eps.length
          ? eps.length > 3
            ? `${eps.slice(0, 3).join(',')} + ${eps.length - 3} more...`
            : eps.join(',')
          : '<unset>',
        age(o),
      ];
    },
  }),
  // events.k8s.io/v1 Events are core/v1 Events, stored as such (src/api/conversion/events.ts).
  servedFrom(
    coreResources.find((d) => d.kind === 'Event')!,
    { group: 'events.k8s.io', version: 'v1' },
    eventsV1Conversion,
    { selectableFields: EVENTS_V1_SELECTABLE_FIELDS },
  ),
  inGroup('certificates.k8s.io')({
    kind: 'CertificateSigningRequest',
    resource: 'certificatesigningrequests',
    singular: 'certificatesigningrequest',
    namespaced: false,
    shortNames: ['csr'],
    status: true,
    subresources: [
      {
        name: 'approval',
        kind: 'CertificateSigningRequest',
        verbs: ['get', 'patch', 'update'],
        target: 'approval',
      },
    ],
    prepareForUpdate: prepareCsrUpdate,
    prepareForCreate: prepareCsrCreate,
    validate: validateCsr,
    columns: [
      AGE,
      col('SignerName', ''),
      col('Requestor', ''),
      col('RequestedDuration', ''),
      col('Condition', ''),
    ],
    cells(o) {
      const conds = arr(at(o, 'status.conditions')).map((c) => text(c['type']));
      if (at(o, 'status.certificate')) conds.push('Issued');
      const secs = at(o, 'spec.expirationSeconds');
      return [
        age(o),
        str(at(o, 'spec.signerName'), ''),
        str(at(o, 'spec.username'), ''),
        typeof secs === 'number' ? humanDur(secs * 1000) : '<none>',
        conds.length ? conds.join(',') : 'Pending',
      ];
    },
    selectableFields: { 'spec.signerName': (o) => str(at(o, 'spec.signerName'), '') },
  }),
  inGroup('policy')({
    kind: 'PodDisruptionBudget',
    resource: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
    status: true,
    columns: [col('Min Available', ''), col('Max Unavailable', ''), col('Allowed Disruptions', ''), AGE],
    cells: (o) => [
      str(at(o, 'spec.minAvailable'), 'N/A'),
      str(at(o, 'spec.maxUnavailable'), 'N/A'),
      num(at(o, 'status.disruptionsAllowed')),
      age(o),
    ],
  }),
  // autoscaling/v1 HPAs are stored as autoscaling/v2 (src/api/conversion/hpa.ts).
  ...((v2: ResourceDefinition) => [
    servedFrom(v2, { group: 'autoscaling', version: 'v1' }, hpaV1Conversion),
    v2,
  ])(
    inGroup(
      'autoscaling',
      'v2',
    )({
      kind: 'HorizontalPodAutoscaler',
      resource: 'horizontalpodautoscalers',
      singular: 'horizontalpodautoscaler',
      namespaced: true,
      shortNames: ['hpa'],
      categories: ['all'],
      status: true,
      columns: [
        col('Reference', ''),
        col('Targets', ''),
        col('MinPods', ''),
        col('MaxPods', ''),
        col('Replicas', ''),
        AGE,
      ],
      cells: (o) => [
        `${str(at(o, 'spec.scaleTargetRef.kind'), '')}/${str(at(o, 'spec.scaleTargetRef.name'), '')}`,
        '<unknown>',
        at(o, 'spec.minReplicas') ?? 1,
        num(at(o, 'spec.maxReplicas')),
        num(at(o, 'status.currentReplicas')),
        age(o),
      ],
    }),
  ),
  inGroup('scheduling.k8s.io')({
    kind: 'PriorityClass',
    resource: 'priorityclasses',
    singular: 'priorityclass',
    namespaced: false,
    shortNames: ['pc'],
    generationOnAnyChange: true,
    defaults(o) {
      o['preemptionPolicy'] ??= 'PreemptLowerPriority';
    },
    validate(o, old) {
      const errs: FieldError[] = [];
      if (typeof o['value'] !== 'number') errs.push(required('value'));
      if (old && o['value'] !== old['value'])
        errs.push({
          type: 'FieldValueForbidden',
          field: 'value',
          detail: 'Forbidden: may not be changed in an update.',
        });
      return errs;
    },
    columns: [col('Value', ''), col('Global-Default', ''), AGE, col('PreemptionPolicy', '')],
    cells: (o) => [num(o['value']), o['globalDefault'] === true, age(o), str(o['preemptionPolicy'], '')],
  }),
];

function validateBinding(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ref = rec(o['roleRef']);
  if (!ref['name']) errs.push(required('roleRef.name'));
  if (!['Role', 'ClusterRole'].includes(text(ref['kind'])))
    errs.push(notSupported('roleRef.kind', ref['kind'] ?? '', ['Role', 'ClusterRole']));
  if (ref['apiGroup'] !== 'rbac.authorization.k8s.io')
    errs.push(notSupported('roleRef.apiGroup', ref['apiGroup'] ?? '', ['rbac.authorization.k8s.io']));
  return errs;
}

function bindingCells(o: KubeObject): unknown[] {
  const subjects = arr(o['subjects']);
  const of = (kind: string, withNs = false) =>
    subjects
      .filter((s) => s['kind'] === kind)
      .map((s) => (withNs ? `${text(s['namespace'] ?? '')}/${text(s['name'])}` : text(s['name'])))
      .join(', ');
  return [
    `${str(at(o, 'roleRef.kind'), '')}/${str(at(o, 'roleRef.name'), '')}`,
    age(o),
    of('User'),
    of('Group'),
    of('ServiceAccount', true),
  ];
}
