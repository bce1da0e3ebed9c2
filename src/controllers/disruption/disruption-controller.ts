/**
 * The disruption controller: keeps each PodDisruptionBudget's status (expected, desired and current
 * healthy pods, disruptions allowed, the DisruptionAllowed condition, observedGeneration) current as
 * its pods and their controllers change, and forgets disruptedPods entries (evictions approved by the
 * API server's pods/eviction) once the pod is being deleted or its deletion is overdue. A failed
 * computation leaves the budget allowing no disruption.
 */
import { isDeepStrictEqual } from 'node:util';
import { isStatusError } from '../../apimachinery/errors.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { LabelSelectorSpec } from '../../apimachinery/labels/index.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { discoverResources } from '../../client/discovery.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type {
  Deployment,
  Pod,
  PodDisruptionBudget,
  ReplicaSet,
  ReplicationController,
  StatefulSet,
} from '../../client/objects.js';
import {
  DEPLOYMENTS,
  POD_DISRUPTION_BUDGETS,
  PODS,
  REPLICA_SETS,
  REPLICATION_CONTROLLERS,
  STATEFUL_SETS,
} from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { controllerRefOf } from '../common/controller-ref.js';
import { inNamespace, indexByNamespace } from '../common/indexes.js';
import { RestMapper, splitApiVersion } from '../common/rest-mapper.js';
import {
  budgetStatus,
  countHealthyPods,
  expectedPodCount,
  failSafeStatus,
  pendingDisruptions,
} from './budget.js';
import type { ControllerScale, PdbStatus, ScaleFinder } from './budget.js';

type ControllerRef = NonNullable<ReturnType<typeof controllerRefOf>>;
type Scaled = StoredObject & { spec?: { replicas?: number } };

/** Discovery for the scale subresource of other controllers is reused for this long. */
const MAPPER_TTL_MS = 60_000;

export class DisruptionController extends QueueController {
  readonly name = 'disruption-controller';
  private readonly client: RestClient;
  private readonly events: EventRecorder;
  private readonly pdbs: Informer<PodDisruptionBudget>;
  private readonly pods: Informer<Pod>;
  private readonly rcs: Informer<ReplicationController>;
  private readonly rss: Informer<ReplicaSet>;
  private readonly deployments: Informer<Deployment>;
  private readonly statefulSets: Informer<StatefulSet>;
  private mapper: { mapper: RestMapper; at: number } | undefined;

  constructor(ctx: ControllerContext) {
    super(ctx.log('disruption-controller'));
    this.client = ctx.client;
    // kube-controller-manager's disruption controller reports as the controller manager itself.
    this.events = ctx.events('controllermanager');
    this.pdbs = ctx.informers.for<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.rcs = ctx.informers.for<ReplicationController>(REPLICATION_CONTROLLERS);
    this.rss = ctx.informers.for<ReplicaSet>(REPLICA_SETS);
    this.deployments = ctx.informers.for<Deployment>(DEPLOYMENTS);
    this.statefulSets = ctx.informers.for<StatefulSet>(STATEFUL_SETS);
    indexByNamespace(this.pdbs);
    indexByNamespace(this.pods);

    const enqueue = (pdb: PodDisruptionBudget) => this.queue.add(objectKey(pdb));
    this.pdbs.addHandler({ add: enqueue, update: (_o, pdb) => enqueue(pdb), delete: enqueue });
    const podChanged = (pod: Pod) => {
      for (const pdb of this.budgetsFor(pod)) enqueue(pdb);
    };
    this.pods.addHandler({ add: podChanged, update: (_o, pod) => podChanged(pod), delete: podChanged });
    // A percentage budget follows its controllers' scale.
    const scaled = (old: Scaled, obj: Scaled) => {
      if (old.spec?.replicas === obj.spec?.replicas) return;
      for (const pdb of inNamespace(this.pdbs, obj.metadata.namespace ?? '')) enqueue(pdb);
    };
    for (const inf of [this.rcs, this.rss, this.deployments, this.statefulSets] as Informer<Scaled>[])
      inf.addHandler({ update: scaled });
  }

  private budgetsFor(pod: Pod): PodDisruptionBudget[] {
    return inNamespace(this.pdbs, pod.metadata.namespace ?? '').filter((pdb) => {
      try {
        const sel = selectorFromLabelSelector(pdb.spec?.selector);
        return sel.matches(pod.metadata.labels ?? {});
      } catch {
        return false;
      }
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const pdb = this.pdbs.get(namespace, name);
    if (!pdb) return;
    try {
      await this.trySync(key, pdb);
    } catch (err) {
      // A conflict only means the cache was behind: compute again without failing safe.
      if (isStatusError(err, 'Conflict')) throw err;
      this.log.warn('failed to sync pod disruption budget', { pdb: key, err });
      await this.writeStatus(pdb, failSafeStatus(pdb, err));
      throw err;
    }
  }

  private async trySync(key: string, pdb: PodDisruptionBudget): Promise<void> {
    let pods: Pod[];
    try {
      const sel = selectorFromLabelSelector(pdb.spec?.selector);
      pods = inNamespace(this.pods, pdb.metadata.namespace ?? '').filter((p) =>
        sel.matches(p.metadata.labels),
      );
    } catch (err) {
      this.events.event(pdb, 'Warning', 'NoPods', `Failed to get pods: ${(err as Error).message}`);
      throw err;
    }
    if (!pods.length) this.events.event(pdb, 'Normal', 'NoPods', 'No matching pods found');

    let counts;
    try {
      counts = await expectedPodCount(pdb, pods, this.findScale);
    } catch (err) {
      this.events.event(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${(err as Error).message}`,
      );
      throw err;
    }
    if (counts.unmanaged.length)
      this.events.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${goLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );

    const nowMs = Date.now();
    const { pending, overdue, recheckAt } = pendingDisruptions(pods, pdb.status?.disruptedPods, nowMs);
    for (const pod of overdue)
      this.events.event(
        pod,
        'Warning',
        'NotDeleted',
        `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`,
      );
    const status = budgetStatus(
      pdb,
      {
        currentHealthy: countHealthyPods(pods, pending, nowMs),
        desiredHealthy: counts.desired,
        expectedPods: counts.expected,
      },
      pending,
    );
    await this.writeStatus(pdb, status);
    if (recheckAt !== undefined) this.queue.addAfter(key, Math.max(0, recheckAt - nowMs));
  }

  private async writeStatus(pdb: PodDisruptionBudget, status: PdbStatus): Promise<void> {
    if (sameStatus(pdb.status, status)) return;
    await this.client.update(POD_DISRUPTION_BUDGETS, { ...pdb, status }, { subresource: 'status' });
  }

  /** A pod's controller and its scale: the workload kinds from the caches, others through /scale. */
  private readonly findScale: ScaleFinder = async (ref, namespace) => {
    const { group } = splitApiVersion(ref.apiVersion);
    const match = <T extends Scaled>(inf: Informer<T>, r: ControllerRef): T | undefined => {
      const obj = inf.get(namespace, r.name);
      return obj?.metadata.uid === r.uid ? obj : undefined;
    };
    const scale = (obj: Scaled): ControllerScale => ({
      uid: obj.metadata.uid,
      replicas: obj.spec?.replicas ?? 1,
    });
    if (ref.kind === 'ReplicationController' && group === '') {
      const rc = match(this.rcs, ref);
      return rc && scale(rc);
    }
    if (ref.kind === 'ReplicaSet' && (group === 'apps' || group === 'extensions')) {
      const rs = match(this.rss, ref);
      if (!rs) return undefined;
      const owner = controllerRefOf(rs);
      if (owner?.kind !== 'Deployment') return scale(rs);
      const ownerGroup = splitApiVersion(owner.apiVersion).group;
      if (ownerGroup !== 'apps' && ownerGroup !== 'extensions') return undefined;
      const deployment = match(this.deployments, owner);
      return deployment && scale(deployment);
    }
    if (ref.kind === 'StatefulSet' && group === 'apps') {
      const ss = match(this.statefulSets, ref);
      if (ss) return scale(ss);
    }
    return this.scaleSubresource(ref, namespace);
  };

  private async scaleSubresource(
    ref: ControllerRef,
    namespace: string,
  ): Promise<ControllerScale | undefined> {
    if (!this.mapper || Date.now() - this.mapper.at > MAPPER_TTL_MS)
      this.mapper = { mapper: new RestMapper(await discoverResources(this.client)), at: Date.now() };
    const resource = this.mapper.mapper.resolve(ref.apiVersion, ref.kind);
    if (!resource)
      throw new Error(
        `no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(ref.apiVersion)}`,
      );
    const gr = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
    try {
      const s = await this.client.get<Scaled>(resource, namespace, ref.name, 'scale');
      return s.metadata.uid === ref.uid
        ? { uid: s.metadata.uid, replicas: s.spec?.replicas ?? 0 }
        : undefined;
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
      // Either the controller is gone or its kind has no scale subresource: tell which.
      const exists = await this.client.get(resource, namespace, ref.name).then(
        () => true,
        () => false,
      );
      if (exists) throw new Error(`${gr} does not implement the scale subresource`);
      return undefined;
    }
  }
}

function sameStatus(old: PdbStatus | undefined, next: PdbStatus): boolean {
  if (!old) return false;
  const norm = (s: PdbStatus) => ({
    ...s,
    disruptedPods: s.disruptedPods ?? {},
    conditions: s.conditions ?? [],
  });
  return isDeepStrictEqual(norm(old), norm(next));
}

/** A label selector as Go's `%v` prints a *metav1.LabelSelector, for event texts that quote one. */
function goLabelSelector(sel: LabelSelectorSpec | undefined): string {
  if (!sel) return '<nil>';
  const labels = Object.entries(sel.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}: ${v},`)
    .join('');
  const exprs = (sel.matchExpressions ?? [])
    .map(
      (e) =>
        `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`,
    )
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
