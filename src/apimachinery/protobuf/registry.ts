/**
 * Every message the decoder knows, and which message each apiVersion+kind decodes with.
 * The schema is checked when this module loads: a dangling type name fails fast, not on a request.
 */

import { isMap, isRepeated, SCALAR_TYPES, SPECIAL_TYPES } from './schema.js';
import type { ElementType, MessageDef } from './schema.js';
import { appsV1 } from './types/apps-v1.js';
import { authenticationV1 } from './types/authentication-v1.js';
import { authorizationV1 } from './types/authorization-v1.js';
import { autoscalingV1 } from './types/autoscaling-v1.js';
import { autoscalingV2 } from './types/autoscaling-v2.js';
import { batchV1 } from './types/batch-v1.js';
import { certificatesV1 } from './types/certificates-v1.js';
import { coordinationV1 } from './types/coordination-v1.js';
import { coreV1 } from './types/core-v1.js';
import { discoveryV1 } from './types/discovery-v1.js';
import { metaV1 } from './types/meta-v1.js';
import { networkingV1 } from './types/networking-v1.js';
import { policyV1 } from './types/policy-v1.js';
import { rbacV1 } from './types/rbac-v1.js';
import { schedulingV1 } from './types/scheduling-v1.js';

/** apiVersion → kind → message name. Names are short unless two packages share one. */
const KINDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  v1: {
    Namespace: 'Namespace',
    ConfigMap: 'ConfigMap',
    Secret: 'Secret',
    ServiceAccount: 'ServiceAccount',
    Service: 'Service',
    Pod: 'Pod',
    ResourceQuota: 'ResourceQuota',
    LimitRange: 'LimitRange',
    PersistentVolumeClaim: 'PersistentVolumeClaim',
    PersistentVolume: 'PersistentVolume',
    ReplicationController: 'ReplicationController',
    PodTemplate: 'PodTemplate',
    Endpoints: 'Endpoints',
    Event: 'Event',
    Node: 'Node',
    Binding: 'Binding',
  },
  'apps/v1': {
    Deployment: 'Deployment',
    StatefulSet: 'StatefulSet',
    DaemonSet: 'DaemonSet',
    ReplicaSet: 'ReplicaSet',
    ControllerRevision: 'ControllerRevision',
  },
  'batch/v1': { Job: 'Job', CronJob: 'CronJob' },
  'rbac.authorization.k8s.io/v1': {
    Role: 'Role',
    RoleBinding: 'RoleBinding',
    ClusterRole: 'ClusterRole',
    ClusterRoleBinding: 'ClusterRoleBinding',
  },
  'networking.k8s.io/v1': {
    Ingress: 'Ingress',
    IngressClass: 'IngressClass',
    NetworkPolicy: 'NetworkPolicy',
  },
  'scheduling.k8s.io/v1': { PriorityClass: 'PriorityClass' },
  'policy/v1': { PodDisruptionBudget: 'PodDisruptionBudget', Eviction: 'Eviction' },
  'authorization.k8s.io/v1': {
    SelfSubjectAccessReview: 'SelfSubjectAccessReview',
    SubjectAccessReview: 'SubjectAccessReview',
    LocalSubjectAccessReview: 'LocalSubjectAccessReview',
    SelfSubjectRulesReview: 'SelfSubjectRulesReview',
  },
  'authentication.k8s.io/v1': {
    SelfSubjectReview: 'SelfSubjectReview',
    TokenRequest: 'TokenRequest',
    TokenReview: 'TokenReview',
  },
  'certificates.k8s.io/v1': { CertificateSigningRequest: 'CertificateSigningRequest' },
  'autoscaling/v1': { Scale: 'Scale', HorizontalPodAutoscaler: 'autoscaling.v1.HorizontalPodAutoscaler' },
  'autoscaling/v2': { HorizontalPodAutoscaler: 'autoscaling.v2.HorizontalPodAutoscaler' },
  'coordination.k8s.io/v1': { Lease: 'Lease' },
  'discovery.k8s.io/v1': { EndpointSlice: 'EndpointSlice' },
};

/** metav1 registers its options types into every group version, so DeleteOptions may name any of them. */
const ANY_VERSION_KINDS: Readonly<Record<string, string>> = { DeleteOptions: 'DeleteOptions' };

const MESSAGES: ReadonlyMap<string, MessageDef> = build([
  ...metaV1,
  ...coreV1,
  ...appsV1,
  ...batchV1,
  ...rbacV1,
  ...networkingV1,
  ...schedulingV1,
  ...policyV1,
  ...authorizationV1,
  ...authenticationV1,
  ...certificatesV1,
  ...autoscalingV1,
  ...autoscalingV2,
  ...coordinationV1,
  ...discoveryV1,
]);

function build(defs: MessageDef[]): Map<string, MessageDef> {
  const byName = new Map<string, MessageDef>();
  for (const d of defs) {
    if (byName.has(d.name) || SPECIAL_TYPES.has(d.name))
      throw new Error(`protobuf schema: duplicate ${d.name}`);
    byName.set(d.name, d);
  }
  const check = (t: ElementType, where: string): void => {
    if (!SCALAR_TYPES.has(t) && !SPECIAL_TYPES.has(t) && !byName.has(t)) {
      throw new Error(`protobuf schema: ${where} refers to unknown type ${t}`);
    }
  };
  for (const d of byName.values()) {
    if (d.kind === 'list') {
      check(d.item, d.name);
      continue;
    }
    for (const f of d.fields) {
      const where = `${d.name}.${f.json}`;
      if (isRepeated(f.type)) check(f.type.repeated, where);
      else if (isMap(f.type)) check(f.type.mapValue, where);
      else check(f.type, where);
      if (f.inline && (typeof f.type !== 'string' || byName.get(f.type)?.kind !== 'message')) {
        throw new Error(`protobuf schema: ${where} is inlined but is not a message`);
      }
    }
  }
  for (const [apiVersion, kinds] of Object.entries(KINDS)) {
    for (const [kind, name] of Object.entries(kinds)) check(name, `${apiVersion} ${kind}`);
  }
  for (const [kind, name] of Object.entries(ANY_VERSION_KINDS)) check(name, kind);
  return byName;
}

export const lookupMessage = (name: string): MessageDef | undefined => MESSAGES.get(name);

/** The message an envelope's apiVersion+kind decodes with, if the schema covers it. */
export function lookupKind(apiVersion: string, kind: string): string | undefined {
  if (Object.hasOwn(ANY_VERSION_KINDS, kind)) return ANY_VERSION_KINDS[kind];
  const kinds = Object.hasOwn(KINDS, apiVersion) ? KINDS[apiVersion] : undefined;
  return kinds && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
}

/** Every covered apiVersion/kind pair (DeleteOptions, accepted under any apiVersion, is listed once). */
export function coveredKinds(): { apiVersion: string; kind: string }[] {
  const out = Object.entries(KINDS).flatMap(([apiVersion, kinds]) =>
    Object.keys(kinds).map((kind) => ({ apiVersion, kind })),
  );
  return [...out, ...Object.keys(ANY_VERSION_KINDS).map((kind) => ({ apiVersion: 'meta.k8s.io/v1', kind }))];
}

/** Every message definition, for tests that sweep the whole schema. */
export const allMessages = (): MessageDef[] => [...MESSAGES.values()];
