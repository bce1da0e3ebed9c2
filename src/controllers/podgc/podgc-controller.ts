/**
 * The pod garbage collector: every 20 s it force-deletes (grace period 0) the pods nothing else will
 * remove, chosen by gc-selection.ts. Pods that are not terminal yet are first marked Failed, and pods of
 * vanished nodes get a DisruptionTarget condition (DeletionByPodGC), as Kubernetes' PodGC does.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import { now } from '../../apimachinery/meta.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/informer.js';
import type { Node, Pod, PodCondition } from '../../client/objects.js';
import { NODES, PODS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { sleep } from '../../util/backoff.js';
import { ConcurrencyLimiter } from '../../util/limiter.js';
import type { Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../controller.js';
import {
  OrphanQuarantine,
  isPodTerminated,
  terminatedPodsOverThreshold,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from './gc-selection.js';

const GC_PERIOD_MS = 20_000;
/** How long a node must be missing from the cache before its pods count as orphaned. */
const QUARANTINE_MS = 40_000;

export class PodGCController implements Controller {
  readonly name = 'pod-garbage-collector';
  private readonly client: RestClient;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly log: Logger;
  private readonly threshold: number;
  private readonly quarantine = new OrphanQuarantine(QUARANTINE_MS);
  private readonly limiter = new ConcurrencyLimiter(16);

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.log = ctx.log('pod-garbage-collector');
    this.threshold = ctx.settings.terminatedPodGCThreshold;
    this.pods = ctx.informers.for<Pod>(PODS);
    this.nodes = ctx.informers.for<Node>(NODES);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.gc().catch((err: unknown) => this.log.error('pod GC failed', { err }));
      await sleep(GC_PERIOD_MS, signal);
    }
  }

  async gc(): Promise<void> {
    const pods = this.pods.list();
    const nodes = new Map(this.nodes.list().map((n) => [n.metadata.name, n]));
    const over = terminatedPodsOverThreshold(pods, this.threshold);
    if (over.length) this.log.info('garbage collecting terminated pods', { count: over.length });
    await this.forceDeleteAll(over);
    await this.forceDeleteAll(terminatingPodsOnOutOfServiceNodes(pods, nodes));
    for (const nodeName of this.quarantine.due(pods, new Set(nodes.keys()), Date.now())) {
      if (await this.nodeExists(nodeName)) {
        this.quarantine.forget(nodeName);
        continue;
      }
      const orphans = pods.filter((p) => p.spec?.nodeName === nodeName);
      this.log.info('deleting pods of a node that no longer exists', {
        node: nodeName,
        count: orphans.length,
      });
      await this.forceDeleteAll(orphans, {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'DeletionByPodGC',
        message: 'PodGC: node no longer exists',
      });
    }
    await this.forceDeleteAll(unscheduledTerminatingPods(pods));
  }

  private async nodeExists(name: string): Promise<boolean> {
    try {
      await this.client.get(NODES, undefined, name);
      return true;
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return false;
      throw err;
    }
  }

  private async forceDeleteAll(pods: Pod[], condition?: PodCondition): Promise<void> {
    await Promise.all(pods.map((p) => this.limiter.run(() => this.forceDelete(p, condition))));
  }

  /** Marks a pod that is not terminal Failed (with `condition`), then deletes it with no grace period. */
  private async forceDelete(pod: Pod, condition?: PodCondition): Promise<void> {
    const { namespace, name, uid } = pod.metadata;
    try {
      if (!isPodTerminated(pod)) {
        const status: Record<string, unknown> = { phase: 'Failed' };
        if (condition) status['conditions'] = [{ ...condition, lastTransitionTime: now() }];
        await this.client.patch(
          PODS,
          namespace,
          name,
          'strategic',
          { metadata: { uid }, status },
          { subresource: 'status' },
        );
      }
      await this.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
      this.log.info('force deleted pod', { pod: objectKey(pod) });
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict'))
        this.log.warn('could not delete pod', { pod: objectKey(pod), err });
    }
  }
}
