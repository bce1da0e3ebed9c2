/**
 * The taint eviction controller: pods on a node with NoExecute taints are deleted, at once when they
 * do not tolerate every such taint, or when the shortest tolerationSeconds of the tolerations used runs
 * out (never when none of them has tolerationSeconds). Before deleting, the pod gets a DisruptionTarget
 * condition (DeletionByTaintManager); scheduling and cancelling record TaintManagerEviction events.
 * Node taints come from the node lifecycle controller (not-ready/unreachable) or from users.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { now } from '../../apimachinery/meta.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type { Node, Pod, Taint, Toleration } from '../../client/objects.js';
import { NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { sleep } from '../../util/backoff.js';
import { indexPodsByNode, podsOnNode } from '../common/pods-by-node.js';
import { matchingTolerations } from '../../api/core/taints.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import { TimedEvictions } from './timed-evictions.js';

const RETRIES = 5;

const noExecute = (node: Node | undefined): Taint[] =>
  (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

/** The shortest tolerationSeconds among `used` in ms: 0 for none used, -1 when they tolerate forever. */
export function minTolerationMs(used: Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

export class TaintEvictionController extends QueueController {
  readonly name = 'taint-eviction-controller';
  private readonly client: RestClient;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly events: EventRecorder;
  /** NoExecute taints of every tainted node. */
  private readonly tainted = new Map<string, Taint[]>();
  private readonly evictions: TimedEvictions;

  constructor(ctx: ControllerContext) {
    super(ctx.log('taint-eviction-controller'), 1);
    this.client = ctx.client;
    this.events = ctx.events('taint-eviction-controller');
    this.nodes = ctx.informers.for<Node>(NODES);
    this.pods = ctx.informers.for<Pod>(PODS);
    indexPodsByNode(this.pods);
    this.evictions = new TimedEvictions((key) => this.deletePod(key));
    this.nodes.addHandler({
      add: (n) => this.queue.add(`node:${n.metadata.name}`),
      update: (o, n) => {
        if (JSON.stringify(noExecute(o)) !== JSON.stringify(noExecute(n)))
          this.queue.add(`node:${n.metadata.name}`);
      },
      delete: (n) => this.queue.add(`node:${n.metadata.name}`),
    });
    const podChanged = (o: Pod | undefined, p: Pod) =>
      !o ||
      o.spec?.nodeName !== p.spec?.nodeName ||
      JSON.stringify(o.spec?.tolerations) !== JSON.stringify(p.spec?.tolerations);
    this.pods.addHandler({
      add: (p) => this.queue.add(`pod:${objectKey(p)}`),
      update: (o, p) => podChanged(o, p) && this.queue.add(`pod:${objectKey(p)}`),
      delete: (p) => this.queue.add(`pod:${objectKey(p)}`),
    });
  }

  override async run(signal: AbortSignal): Promise<void> {
    try {
      await super.run(signal);
    } finally {
      this.evictions.stop();
    }
  }

  protected async reconcile(key: string): Promise<void> {
    if (key.startsWith('node:')) this.handleNode(key.slice(5));
    else if (key.startsWith('pod:')) this.handlePod(key.slice(4));
    return Promise.resolve();
  }

  private handleNode(name: string): void {
    const node = this.nodes.get(undefined, name);
    const taints = noExecute(node);
    if (taints.length) this.tainted.set(name, taints);
    else this.tainted.delete(name);
    if (!node) return;
    const pods = podsOnNode(this.pods, name);
    const t = Date.now();
    for (const pod of pods) {
      if (!taints.length) this.cancel(objectKey(pod));
      else this.processPodOnNode(objectKey(pod), pod.spec?.tolerations ?? [], taints, t);
    }
  }

  private handlePod(key: string): void {
    const pod = this.pods.getByKey(key);
    if (!pod) return void this.cancel(key);
    const nodeName = pod.spec?.nodeName;
    const taints = nodeName ? this.tainted.get(nodeName) : undefined;
    if (!taints) return;
    this.processPodOnNode(key, pod.spec?.tolerations ?? [], taints, Date.now());
  }

  private processPodOnNode(key: string, tolerations: Toleration[], taints: Taint[], t: number): void {
    const { all, used } = matchingTolerations(taints, tolerations);
    if (!all) {
      this.cancel(key);
      this.evictions.add(key, t, t);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) return void this.cancel(key);
    // An eviction scheduled earlier stands, as in Kubernetes (its time is not recomputed).
    if (this.evictions.get(key)) return;
    this.evictions.add(key, t, t + min);
  }

  private cancel(key: string): void {
    if (this.evictions.cancel(key))
      this.events.event(podRef(key), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  /** Marks the pod as a disruption target and deletes it (gracefully); false when it kept failing. */
  private async deletePod(key: string): Promise<boolean> {
    const { namespace, name } = splitKey(key);
    this.log.info('deleting pod', { pod: key });
    this.events.event(podRef(key), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      try {
        const pod = await this.client.get<Pod>(PODS, namespace, name);
        const has = pod.status?.conditions?.some(
          (c) =>
            c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'DeletionByTaintManager',
        );
        if (!has)
          await this.client.patch(
            PODS,
            namespace,
            name,
            'strategic',
            {
              metadata: { uid: pod.metadata.uid },
              status: {
                conditions: [
                  {
                    type: 'DisruptionTarget',
                    status: 'True',
                    reason: 'DeletionByTaintManager',
                    message: 'Taint manager: deleting due to NoExecute taint',
                    lastTransitionTime: now(),
                  },
                ],
              },
            },
            { subresource: 'status' },
          );
        await this.client.delete(PODS, namespace, name, { preconditions: { uid: pod.metadata.uid } });
        return true;
      } catch (err) {
        if (isStatusError(err, 'NotFound')) return true;
        this.log.warn('evicting pod failed', { pod: key, attempt, err });
        await sleep(10);
      }
    }
    return false;
  }
}

/** The object reference events about pod `key` name. */
function podRef(key: string) {
  const { namespace, name } = splitKey(key);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } };
}
