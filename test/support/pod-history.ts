/**
 * Records the life of matching pods through a watch, in the order the API server reported it: when
 * each pod appeared, first became Ready, started terminating and was gone. Lets tests assert
 * ordering (OrderedReady, rolling updates, surge) without timing anything.
 */
import { loadKubeconfig } from '../../src/client/config.js';
import { Informer } from '../../src/client/informer.js';
import type { Pod } from '../../src/client/objects.js';
import { PODS } from '../../src/client/resources.js';
import { RestClient } from '../../src/client/rest.js';

export type PodStep = 'added' | 'ready' | 'deleting' | 'deleted';

export interface PodEvent {
  step: PodStep;
  name: string;
  uid: string;
  node?: string;
  image?: string;
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

export class PodHistory {
  readonly events: PodEvent[] = [];
  private readonly seen = new Map<string, Set<PodStep>>();

  private constructor(
    private readonly client: RestClient,
    private readonly informer: Informer<Pod>,
  ) {}

  /** Starts watching pods matching `labelSelector` in `namespace`. */
  static async start(kubeconfig: string, labelSelector: string, namespace = 'default'): Promise<PodHistory> {
    const client = new RestClient(loadKubeconfig(kubeconfig, 'k8ts-test-pod-history/v0'));
    const informer = new Informer<Pod>(client, PODS, { namespace, labelSelector });
    const h = new PodHistory(client, informer);
    informer.addHandler({
      add: (p) => h.observe(p),
      update: (_o, p) => h.observe(p),
      delete: (p) => h.record('deleted', p),
    });
    informer.start();
    await informer.synced;
    return h;
  }

  private record(step: PodStep, p: Pod): void {
    const uid = p.metadata.uid;
    let steps = this.seen.get(uid);
    if (!steps) this.seen.set(uid, (steps = new Set()));
    if (steps.has(step)) return;
    steps.add(step);
    this.events.push({
      step,
      name: p.metadata.name,
      uid,
      node: p.spec?.nodeName,
      image: p.spec?.containers[0]?.image,
    });
  }

  private observe(p: Pod): void {
    this.record('added', p);
    if (isReady(p)) this.record('ready', p);
    if (p.metadata.deletionTimestamp) this.record('deleting', p);
  }

  /** Position of the first `step` of the pod named `name` (-1 if none). */
  index(step: PodStep, name: string, from = 0): number {
    return this.events.findIndex((e, i) => i >= from && e.step === step && e.name === name);
  }

  /** Pod names in the order they took `step`. */
  order(step: PodStep): string[] {
    return this.events.filter((e) => e.step === step).map((e) => e.name);
  }

  /** The most pods alive (added, not yet terminating) at any one time. */
  maxAlive(): number {
    let alive = 0;
    let max = 0;
    const gone = new Set<string>();
    for (const e of this.events) {
      if (e.step === 'added') alive++;
      else if ((e.step === 'deleting' || e.step === 'deleted') && !gone.has(e.uid)) {
        gone.add(e.uid);
        alive--;
      }
      max = Math.max(max, alive);
    }
    return max;
  }

  /** Forgets what was recorded so far (before the next phase of a test). */
  clear(): void {
    this.events.length = 0;
  }

  async stop(): Promise<void> {
    await this.informer.stop();
    this.client.close();
  }
}
