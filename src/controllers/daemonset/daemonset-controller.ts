/**
 * The DaemonSet controller: one pod of the DaemonSet on every node that should run it (nodeSelector,
 * required node affinity, taints against tolerations), each pod pinned to its node by a required
 * node affinity on `metadata.name` so that the scheduler places it. Template changes roll out with
 * maxUnavailable/maxSurge (RollingUpdate) or when the user deletes pods (OnDelete); every template
 * is kept as a ControllerRevision for `kubectl rollout history/undo`.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../client/objects.js';
import { CONTROLLER_REVISIONS, DAEMON_SETS, NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import type { EventRecorder } from '../../client/events.js';
import { Backoff } from '../../util/backoff.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { apiClaimOptions, claimObjects } from '../common/ref-manager.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import { controllerRefOf } from '../common/controller-ref.js';
import { indexByControllerUid, indexByNamespaceAndController, inNamespace } from '../common/indexes.js';
import { Expectations } from '../common/expectations.js';
import { computeHash } from '../common/hash.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  RevisionHistory,
  nextRevisionNumber,
  revisionsToTruncate,
  sameData,
  templatePatch,
} from '../common/history.js';
import { watchOwnedPods } from '../common/owned-pods.js';
import { PodControl } from '../common/pod-control.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';
import {
  byCreationAndPhase,
  isPodUpdated,
  nodeShouldRunDaemonPod,
  targetNodeOf,
  toDaemonPodSpec,
} from './daemon-pods.js';
import type { NodeDecision } from './daemon-pods.js';
import { planRollingUpdate } from './rolling-update.js';

const COMPONENT = 'daemonset-controller';
/** Failed daemon pods on a node are replaced no faster than this backoff allows (upstream: 1 s to 15 min). */
const FAILED_POD_BACKOFF = { initialMs: 1000, maxMs: 15 * 60 * 1000 };

type DaemonSetStatus = NonNullable<DaemonSet['status']>;

export class DaemonSetController extends QueueController {
  readonly name = COMPONENT;
  private readonly client: RestClient;
  private readonly events: EventRecorder;
  private readonly dsets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly podControl: PodControl;
  private readonly history: RevisionHistory;
  private readonly expectations = new Expectations();
  private readonly failedPodBackoff = new Map<string, { backoff: Backoff; until: number }>();

  constructor(ctx: ControllerContext) {
    super(ctx.log(COMPONENT));
    this.client = ctx.client;
    this.events = ctx.events(COMPONENT);
    this.dsets = ctx.informers.for<DaemonSet>(DAEMON_SETS);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.nodes = ctx.informers.for<Node>(NODES);
    const revisions = ctx.informers.for<ControllerRevision>(CONTROLLER_REVISIONS);
    indexByNamespaceAndController(this.pods);
    indexByControllerUid(revisions);
    this.podControl = new PodControl(ctx.client, this.events);
    this.history = new RevisionHistory(ctx.client, revisions);

    this.dsets.addHandler({
      add: (ds) => this.queue.add(objectKey(ds)),
      update: (_old, ds) => this.queue.add(objectKey(ds)),
      delete: (ds) => this.expectations.forget(objectKey(ds)),
    });
    watchOwnedPods({
      pods: this.pods,
      owners: this.dsets,
      kind: 'DaemonSet',
      selectorOf: (ds) => ds.spec?.selector,
      expectations: this.expectations,
      enqueue: (key) => this.queue.add(key),
    });
    this.nodes.addHandler({
      add: () => this.enqueueAll(),
      update: (old, node) => {
        if (nodeSchedulingChanged(old, node)) this.enqueueAll();
      },
      delete: () => this.enqueueAll(),
    });
    revisions.addHandler({
      delete: (rev) => {
        const ref = controllerRefOf(rev);
        if (ref?.kind === 'DaemonSet') this.queue.add(`${rev.metadata.namespace}/${ref.name}`);
      },
    });
  }

  private enqueueAll(): void {
    for (const ds of this.dsets.list()) this.queue.add(objectKey(ds));
  }

  protected async reconcile(key: string): Promise<void> {
    const cached = this.dsets.getByKey(key);
    if (!cached) {
      this.expectations.forget(key);
      for (const k of this.failedPodBackoff.keys())
        if (k.startsWith(`${key}/`)) this.failedPodBackoff.delete(k);
      return;
    }
    // Objects from a list carry no apiVersion/kind; owner references and events need them.
    const ds: DaemonSet = { ...cached, apiVersion: 'apps/v1', kind: 'DaemonSet' };
    if (ds.metadata.deletionTimestamp) return;
    const nodes = this.nodes.list();
    const decisions = new Map(nodes.map((n) => [n.metadata.name, nodeShouldRunDaemonPod(n, ds)]));
    const { current, old, collisionCount } = await this.constructHistory(ds);
    const hash = current.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    const nodePods = await this.podsByNode(ds);
    const satisfied = this.expectations.satisfied(key);
    if (satisfied) await this.sync(ds, key, decisions, nodePods, hash);
    await this.cleanupHistory(ds, old, nodePods);
    await this.updateStatus(ds, decisions, nodePods, hash, collisionCount, satisfied);
  }

  /** The DaemonSet's pods (after adopting orphans it selects) by the node they are on or pinned to. */
  private async podsByNode(ds: DaemonSet): Promise<Map<string, Pod[]>> {
    const pods = await claimObjects(
      inNamespace(this.pods, ds.metadata.namespace ?? ''),
      apiClaimOptions<Pod>(this.client, DAEMON_SETS, PODS, ds, selectorFromLabelSelector(ds.spec?.selector)),
    );
    const byNode = new Map<string, Pod[]>();
    for (const pod of pods) {
      const node = targetNodeOf(pod);
      if (node === undefined) continue;
      const list = byNode.get(node);
      if (list) list.push(pod);
      else byNode.set(node, [pod]);
    }
    return byNode;
  }

  /**
   * The revision of the current template (created, or an equal older one made the newest) and the
   * others. Duplicates of the current one are deleted.
   */
  private async constructHistory(
    ds: DaemonSet,
  ): Promise<{ current: ControllerRevision; old: ControllerRevision[]; collisionCount: number }> {
    const revs = this.history.owned(ds);
    const data = templatePatch(ds.spec?.template);
    const matching = revs.filter((r) => sameData(r.data, data));
    const others = revs.filter((r) => !matching.includes(r));
    let collisionCount = ds.status?.collisionCount ?? 0;
    let current = matching.at(-1);
    for (const dup of matching.slice(0, -1)) await this.history.delete(dup);
    const next = nextRevisionNumber(others);
    if (!current) {
      const template = ds.spec?.template;
      const made = await this.history.create(
        ds,
        {
          data,
          revision: next,
          labels: template?.metadata?.labels ?? {},
          hash: (cc) => computeHash(template, cc),
        },
        collisionCount,
      );
      current = made.revision;
      collisionCount = made.collisionCount;
    } else if (current.revision < next) current = await this.history.renumber(current, next);
    return { current, old: others, collisionCount };
  }

  /** Creates and deletes pods so each eligible node runs one, then takes one rolling-update step. */
  private async sync(
    ds: DaemonSet,
    key: string,
    decisions: Map<string, NodeDecision>,
    nodePods: Map<string, Pod[]>,
    hash: string,
  ): Promise<void> {
    const surge = ds.spec?.updateStrategy?.type === 'RollingUpdate' && hasSurge(ds);
    const creates = new Set<string>();
    const deletes = new Map<string, Pod>();
    const del = (p: Pod) => deletes.set(p.metadata.uid, p);
    for (const [node, d] of decisions) {
      const pods = nodePods.get(node) ?? [];
      if (d.shouldRun && pods.length === 0) creates.add(node);
      else if (d.shouldContinueRunning) {
        const running = this.dropFailedPods(ds, key, node, pods, del);
        running.sort(byCreationAndPhase);
        if (!surge) running.slice(1).forEach(del);
        else {
          // With surge a node may run one old and one new pod; any more go.
          let keptNew = false;
          let keptOld = false;
          for (const pod of running) {
            const updated = isPodUpdated(pod, hash);
            if (updated && !keptNew) keptNew = true;
            else if (!updated && !keptOld) keptOld = true;
            else del(pod);
          }
        }
      } else pods.filter((p) => !p.metadata.deletionTimestamp).forEach(del);
    }
    // Unscheduled pods pinned to a node that is gone can never run.
    for (const [node, pods] of nodePods)
      if (!decisions.has(node))
        pods.filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp).forEach(del);

    if (ds.spec?.updateStrategy?.type === 'RollingUpdate') {
      const eligible = new Map<string, Pod[]>(nodePods);
      let desired = 0;
      for (const [node, d] of decisions) {
        if (!d.shouldRun) continue;
        desired++;
        if (!eligible.has(node)) eligible.set(node, []);
      }
      const step = planRollingUpdate(
        ds,
        eligible,
        hash,
        desired,
        (n) => decisions.get(n)?.shouldRun === true,
      );
      step.deletePods.forEach(del);
      for (const n of step.createOnNodes) creates.add(n);
    }
    await this.apply(ds, key, [...creates], [...deletes.values()], hash);
  }

  /** Deletes failed daemon pods on `node` (with a backoff per node); the pods still running. */
  private dropFailedPods(
    ds: DaemonSet,
    key: string,
    node: string,
    pods: Pod[],
    del: (p: Pod) => void,
  ): Pod[] {
    const running: Pod[] = [];
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      if (pod.status?.phase !== 'Failed') {
        running.push(pod);
        continue;
      }
      const bkey = `${key}/${node}`;
      let entry = this.failedPodBackoff.get(bkey);
      const nowMs = Date.now();
      if (entry && nowMs < entry.until) {
        this.queue.addAfter(key, entry.until - nowMs);
        continue;
      }
      if (!entry)
        this.failedPodBackoff.set(
          bkey,
          (entry = {
            backoff: new Backoff(FAILED_POD_BACKOFF.initialMs, FAILED_POD_BACKOFF.maxMs),
            until: 0,
          }),
        );
      entry.until = nowMs + entry.backoff.next();
      this.events.event(
        ds,
        'Warning',
        'FailedDaemonPod',
        `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`,
      );
      del(pod);
    }
    return running;
  }

  private async apply(
    ds: DaemonSet,
    key: string,
    nodes: string[],
    deletes: Pod[],
    hash: string,
  ): Promise<void> {
    if (nodes.length === 0 && deletes.length === 0) return;
    this.expectations.expect(key, nodes.length, deletes.map(objectKey));
    const template = ds.spec!.template;
    const results = await Promise.allSettled([
      ...nodes.map((node) =>
        this.podControl
          .create(ds, template, {
            labels: { [CONTROLLER_REVISION_HASH_LABEL]: hash },
            mutateSpec: (spec) => toDaemonPodSpec(spec, node),
          })
          .catch((err: unknown) => {
            this.expectations.observedAdd(key);
            throw err;
          }),
      ),
      ...deletes.map((pod) =>
        this.podControl.delete(ds, pod).catch((err: unknown) => {
          this.expectations.observedDelete(key, objectKey(pod));
          if (!isStatusError(err, 'NotFound')) throw err;
        }),
      ),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async cleanupHistory(ds: DaemonSet, old: ControllerRevision[], nodePods: Map<string, Pod[]>) {
    const live = new Set<string>();
    for (const pods of nodePods.values())
      for (const p of pods) {
        const h = p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
        if (h) live.add(h);
      }
    const doomed = revisionsToTruncate(
      old,
      (r) => live.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? ''),
      ds.spec?.revisionHistoryLimit ?? 10,
      { countLive: true },
    );
    for (const r of doomed) await this.history.delete(r);
  }

  private async updateStatus(
    ds: DaemonSet,
    decisions: Map<string, NodeDecision>,
    nodePods: Map<string, Pod[]>,
    hash: string,
    collisionCount: number,
    observed: boolean,
  ): Promise<void> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const s = daemonSetStatus(ds, decisions, nodePods, hash);
    if (collisionCount > 0) s.collisionCount = collisionCount;
    s.observedGeneration = observed ? ds.metadata.generation : ds.status?.observedGeneration;
    if (minReady > 0 && s.numberReady !== s.numberAvailable)
      this.queue.addAfter(objectKey(ds), minReady * 1000);
    const cur: Partial<DaemonSetStatus> = ds.status ?? {};
    const changed = (Object.keys(s) as (keyof DaemonSetStatus)[]).some((k) => s[k] !== cur[k]);
    if (!changed) return;
    try {
      await this.client.patch(
        DAEMON_SETS,
        ds.metadata.namespace,
        ds.metadata.name,
        'merge',
        { status: s },
        { subresource: 'status' },
      );
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }
}

function hasSurge(ds: DaemonSet): boolean {
  const s = ds.spec?.updateStrategy?.rollingUpdate?.maxSurge;
  return s !== undefined && s !== 0 && s !== '0%' && s !== '0';
}

/** Labels, taints, schedulability or readiness changed: daemon placement may change. */
function nodeSchedulingChanged(old: Node, node: Node): boolean {
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return (
    JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(node.metadata.labels ?? {}) ||
    JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(node.spec?.taints ?? []) ||
    old.spec?.unschedulable !== node.spec?.unschedulable ||
    ready(old) !== ready(node)
  );
}

/** The counts kubectl shows for a DaemonSet, from the oldest pod on each node. */
export function daemonSetStatus(
  ds: DaemonSet,
  decisions: Map<string, NodeDecision>,
  nodePods: Map<string, Pod[]>,
  hash: string,
  nowMs = Date.now(),
): DaemonSetStatus {
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const [node, d] of decisions) {
    const pods = nodePods.get(node) ?? [];
    if (!d.shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(byCreationAndPhase)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, nowMs)) available++;
    }
    if (isPodUpdated(pod, hash)) updated++;
  }
  return {
    currentNumberScheduled: current,
    desiredNumberScheduled: desired,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    numberUnavailable: desired - available,
    updatedNumberScheduled: updated,
  };
}
