/**
 * Typed views of the built-in objects as components read them from the API: the field shapes come
 * from kubernetes-models' declarations (types only, nothing is loaded at run time), the metadata is
 * our StoredObject's, which the server always fills.
 */
import type { StoredObject } from '../apimachinery/meta.js';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IReplicaSet } from 'kubernetes-models/apps/v1/ReplicaSet';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IControllerRevision } from 'kubernetes-models/apps/v1/ControllerRevision';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IEndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import type { ICertificateSigningRequest } from 'kubernetes-models/certificates.k8s.io/v1/CertificateSigningRequest';
import type { ILease } from 'kubernetes-models/coordination.k8s.io/v1/Lease';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { INode } from 'kubernetes-models/v1/Node';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IEndpoints } from 'kubernetes-models/v1/Endpoints';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IReplicationController } from 'kubernetes-models/v1/ReplicationController';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { ITaint } from 'kubernetes-models/v1/Taint';
import type { IPodCondition } from 'kubernetes-models/v1/PodCondition';
import type { INodeCondition } from 'kubernetes-models/v1/NodeCondition';
import type { INodeSelectorTerm } from 'kubernetes-models/v1/NodeSelectorTerm';
import type { IPodAffinityTerm } from 'kubernetes-models/v1/PodAffinityTerm';
import type { ITopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';

/** A kubernetes-models interface with our always-present metadata in place of the optional one. */
export type Stored<T> = Omit<T, 'metadata' | 'apiVersion' | 'kind'> & StoredObject;

export type Pod = Stored<IPod>;
export type Node = Stored<INode>;
export type Service = Stored<IService>;
export type Endpoints = Stored<IEndpoints>;
export type Namespace = Stored<INamespace>;
export type PersistentVolume = Stored<IPersistentVolume>;
export type PersistentVolumeClaim = Stored<IPersistentVolumeClaim>;
export type ReplicationController = Stored<IReplicationController>;
export type ResourceQuota = Stored<IResourceQuota>;
export type Deployment = Stored<IDeployment>;
export type ReplicaSet = Stored<IReplicaSet>;
export type StatefulSet = Stored<IStatefulSet>;
export type DaemonSet = Stored<IDaemonSet>;
export type ControllerRevision = Stored<IControllerRevision>;
export type Job = Stored<IJob>;
export type CronJob = Stored<ICronJob>;
export type EndpointSlice = Stored<IEndpointSlice>;
export type PodDisruptionBudget = Stored<IPodDisruptionBudget>;
export type PriorityClass = Stored<IPriorityClass>;
export type StorageClass = Stored<IStorageClass>;
export type CertificateSigningRequest = Stored<ICertificateSigningRequest>;
export type Lease = Stored<ILease>;

export type PodTemplateSpec = IPodTemplateSpec;
export type PodSpec = IPodSpec;
export type Container = IContainer;
export type Toleration = IToleration;
export type Taint = ITaint;
export type PodCondition = IPodCondition;
export type NodeCondition = INodeCondition;
export type NodeSelectorTerm = INodeSelectorTerm;
export type NodeSelectorRequirement = NonNullable<INodeSelectorTerm['matchExpressions']>[number];
export type PodAffinityTerm = IPodAffinityTerm;
export type TopologySpreadConstraint = ITopologySpreadConstraint;
export type LabelSelectorObject = NonNullable<IDeployment['spec']>['selector'];
