/**
 * Strategic merge patch schemas of the built-in kinds, transcribed from the `patchStrategy` and
 * `patchMergeKey` struct tags of k8s.io/api (the GA versions of core, apps, batch, policy, autoscaling,
 * admissionregistration, flowcontrol, storage, networking, resource) and k8s.io/apimachinery
 * (metav1.ObjectMeta); alpha-only fields are left out. Lists not listed here have no tag: they are
 * replaced wholesale (atomic), e.g. tolerations, envFrom, args, command, containerStatuses,
 * volumeClaimTemplates, matchExpressions.
 */
import type { SmpSchema } from './smp-schema.js';

const mergeBy = (mergeKey: string, items?: SmpSchema): SmpSchema => ({
  patchStrategy: 'merge',
  mergeKey,
  ...(items ? { items } : {}),
});
const byType = mergeBy('type');
/** A list whose server-side apply keys are the merge key plus `protocol`, which defaults to TCP. */
const byPortAndProtocol = (mergeKey: string): SmpSchema => ({
  ...mergeBy(mergeKey),
  listMapKeys: [mergeKey, 'protocol'],
  keyDefaults: { protocol: 'TCP' },
});
/** metav1.LabelSelector is `+structType=atomic`. */
const labelSelector: SmpSchema = { atomic: true };

export const objectMetaSchema: SmpSchema = {
  fields: {
    finalizers: { patchStrategy: 'merge' },
    ownerReferences: mergeBy('uid'),
  },
};

/** Container and EphemeralContainer (whose fields are EphemeralContainerCommon, tagged alike). */
export const containerSchema: SmpSchema = {
  fields: {
    ports: byPortAndProtocol('containerPort'),
    env: mergeBy('name'),
    volumeMounts: mergeBy('mountPath'),
    volumeDevices: mergeBy('devicePath'),
  },
};

export const podSpecSchema: SmpSchema = {
  fields: {
    volumes: { ...mergeBy('name'), retainKeys: true },
    initContainers: mergeBy('name', containerSchema),
    containers: mergeBy('name', containerSchema),
    ephemeralContainers: mergeBy('name', containerSchema),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    topologySpreadConstraints: {
      ...mergeBy('topologyKey'),
      listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
    },
    nodeSelector: { atomic: true },
    schedulingGates: mergeBy('name'),
    resourceClaims: { ...mergeBy('name'), retainKeys: true },
  },
};

export const podStatusSchema: SmpSchema = {
  fields: {
    conditions: byType,
    hostIPs: mergeBy('ip'),
    podIPs: mergeBy('ip'),
    resourceClaimStatuses: { ...mergeBy('name'), retainKeys: true },
  },
};

export const podTemplateSpecSchema: SmpSchema = {
  fields: { metadata: objectMetaSchema, spec: podSpecSchema },
};

/** The shape every object has: metadata, plus the kind's spec and status. */
const kindSchema = (spec?: SmpSchema, status?: SmpSchema, extra?: Record<string, SmpSchema>): SmpSchema => ({
  fields: {
    metadata: objectMetaSchema,
    ...(spec ? { spec } : {}),
    ...(status ? { status } : {}),
    ...extra,
  },
});

const withTemplate = (fields: Record<string, SmpSchema> = {}): SmpSchema => ({
  fields: { template: podTemplateSpecSchema, ...fields },
});
const withTemplateAndSelector = (fields: Record<string, SmpSchema> = {}): SmpSchema =>
  withTemplate({ selector: labelSelector, ...fields });
const conditionsStatus: SmpSchema = { fields: { conditions: byType } };

export const jobSpecSchema: SmpSchema = withTemplateAndSelector();

const webhookSchema: SmpSchema = { fields: { matchConditions: mergeBy('name') } };

/** Any kind without a schema of its own: only metadata's tagged lists merge; every other list is replaced. */
export const genericSchema: SmpSchema = kindSchema();

const schemas: Readonly<Record<string, SmpSchema>> = {
  'v1/Pod': kindSchema(podSpecSchema, podStatusSchema),
  'v1/PodTemplate': kindSchema(undefined, undefined, { template: podTemplateSpecSchema }),
  'v1/ReplicationController': kindSchema(withTemplate(), conditionsStatus),
  'v1/Service': kindSchema({ fields: { ports: byPortAndProtocol('port') } }, conditionsStatus),
  'v1/ServiceAccount': kindSchema(undefined, undefined, { secrets: mergeBy('name') }),
  'v1/Node': kindSchema(
    { fields: { podCIDRs: { patchStrategy: 'merge' } } },
    { fields: { conditions: byType, addresses: byType } },
  ),
  'v1/Namespace': kindSchema(undefined, conditionsStatus),
  'v1/PersistentVolumeClaim': kindSchema(undefined, conditionsStatus),
  'v1/ComponentStatus': kindSchema(undefined, undefined, { conditions: byType }),
  'apps/v1/Deployment': kindSchema(
    withTemplateAndSelector({ strategy: { retainKeys: true } }),
    conditionsStatus,
  ),
  'apps/v1/StatefulSet': kindSchema(withTemplateAndSelector(), conditionsStatus),
  'apps/v1/DaemonSet': kindSchema(withTemplateAndSelector(), conditionsStatus),
  'apps/v1/ReplicaSet': kindSchema(withTemplateAndSelector(), conditionsStatus),
  'batch/v1/Job': kindSchema(jobSpecSchema, conditionsStatus),
  'batch/v1/CronJob': kindSchema({
    fields: { jobTemplate: { fields: { metadata: objectMetaSchema, spec: jobSpecSchema } } },
  }),
  'policy/v1/PodDisruptionBudget': kindSchema(
    { fields: { selector: { patchStrategy: 'replace', atomic: true } } },
    conditionsStatus,
  ),
  'autoscaling/v2/HorizontalPodAutoscaler': kindSchema(undefined, conditionsStatus),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': kindSchema(undefined, undefined, {
    webhooks: mergeBy('name', webhookSchema),
  }),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': kindSchema(undefined, undefined, {
    webhooks: mergeBy('name', webhookSchema),
  }),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': kindSchema({
    fields: { matchConditions: mergeBy('name'), variables: mergeBy('name') },
  }),
  'flowcontrol.apiserver.k8s.io/v1/FlowSchema': kindSchema(undefined, conditionsStatus),
  'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration': kindSchema(undefined, conditionsStatus),
  'networking.k8s.io/v1/ServiceCIDR': kindSchema(undefined, conditionsStatus),
  'storage.k8s.io/v1/CSINode': kindSchema({ fields: { drivers: mergeBy('name') } }),
  'resource.k8s.io/v1/ResourceClaim': kindSchema(undefined, { fields: { reservedFor: mergeBy('uid') } }),
};

/** The strategic merge patch schema of a kind; kinds not known here get `genericSchema`. */
export function smpSchemaFor(group: string, version: string, kind: string): SmpSchema {
  return schemas[`${group ? `${group}/` : ''}${version}/${kind}`] ?? genericSchema;
}
