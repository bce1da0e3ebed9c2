/**
 * The controller manager: runs the controllers as one API client with its own credentials, sharing
 * informers, behind leader election on the `kube-system/kube-controller-manager` Lease so that only
 * one instance acts at a time (seed 002's `--leader-elect`).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { EventRecorder } from '../client/events.js';
import { LeaderElector } from '../client/leader-election.js';
import type { RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { logger } from '../util/log.js';
import type { Logger } from '../util/log.js';
import type { Controller, ControllerContext } from './controller.js';
import { CsrCleaner } from './csrcleaner/csr-cleaner.js';
import { DisruptionController } from './disruption/disruption-controller.js';
import { EndpointsController } from './endpoints/endpoints-controller.js';
import { EndpointSliceController } from './endpointslice/endpointslice-controller.js';
import { GarbageCollector } from './garbagecollector/garbage-collector.js';
import { CronJobController } from './cronjob/cronjob-controller.js';
import { JobController } from './job/job-controller.js';
import { DaemonSetController } from './daemonset/daemonset-controller.js';
import { NamespaceController } from './namespace/namespace-controller.js';
import { PersistentVolumeBinder } from './persistentvolume/persistentvolume-binder.js';
import { ResourceQuotaController } from './resourcequota/resourcequota-controller.js';
import { DeploymentController } from './deployment/deployment-controller.js';
import {
  REPLICATION_CONTROLLER_KIND,
  REPLICA_SET_KIND,
  ReplicaSetController,
} from './replicaset/replicaset-controller.js';
import { ServiceAccountController } from './serviceaccount/serviceaccount-controller.js';
import { TtlAfterFinishedController } from './ttlafterfinished/ttl-after-finished-controller.js';
import { StatefulSetController } from './statefulset/statefulset-controller.js';
import { NodeIpamController } from './nodeipam/nodeipam-controller.js';
import { NodeLifecycleController } from './nodelifecycle/nodelifecycle-controller.js';
import { PodGCController } from './podgc/podgc-controller.js';
import { DEFAULT_CONTROLLER_SETTINGS } from './settings.js';
import type { ControllerSettings } from './settings.js';
import { TaintEvictionController } from './tainteviction/tainteviction-controller.js';

/** Every controller by the name `--controllers` uses, as kube-controller-manager names them. */
export const CONTROLLERS: Record<string, (ctx: ControllerContext) => Controller> = {
  namespace: (ctx) => new NamespaceController(ctx),
  serviceaccount: (ctx) => new ServiceAccountController(ctx),
  'persistentvolume-binder': (ctx) => new PersistentVolumeBinder(ctx),
  resourcequota: (ctx) => new ResourceQuotaController(ctx),
  csrcleaner: (ctx) => new CsrCleaner(ctx),
  replicaset: (ctx) => new ReplicaSetController(ctx, REPLICA_SET_KIND),
  replicationcontroller: (ctx) => new ReplicaSetController(ctx, REPLICATION_CONTROLLER_KIND),
  deployment: (ctx) => new DeploymentController(ctx),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  endpoint: (ctx) => new EndpointsController(ctx),
  endpointslice: (ctx) => new EndpointSliceController(ctx),
  disruption: (ctx) => new DisruptionController(ctx),
  job: (ctx) => new JobController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  'ttl-after-finished': (ctx) => new TtlAfterFinishedController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  daemonset: (ctx) => new DaemonSetController(ctx),
  nodeipam: (ctx) => new NodeIpamController(ctx),
  nodelifecycle: (ctx) => new NodeLifecycleController(ctx),
  'taint-eviction-controller': (ctx) => new TaintEvictionController(ctx),
  podgc: (ctx) => new PodGCController(ctx),
};

export interface ControllerManagerOptions {
  client: RestClient;
  /** Take part in leader election (default true). */
  leaderElect?: boolean;
  /** Names from CONTROLLERS to run (default all). */
  controllers?: string[];
  identity?: string;
  log?: Logger;
  /** Controller flags; what is left out has Kubernetes' default. */
  settings?: Partial<ControllerSettings>;
}

export class ControllerManager {
  private readonly log: Logger;
  private leading = false;
  private running = false;

  constructor(private readonly opts: ControllerManagerOptions) {
    this.log = opts.log ?? logger('controller-manager');
    for (const name of opts.controllers ?? [])
      if (!(name in CONTROLLERS)) throw new Error(`unknown controller ${JSON.stringify(name)}`);
  }

  /** Whether this instance runs the controllers now (it leads, or leader election is off). */
  get active(): boolean {
    return this.leading;
  }

  /** Whether the manager is up (leading or standing by), what its health probe reports. */
  get healthy(): boolean {
    return this.running;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    try {
      await this.runElected(signal);
    } finally {
      this.running = false;
    }
  }

  private async runElected(signal: AbortSignal): Promise<void> {
    if (this.opts.leaderElect === false) return this.runControllers(signal);
    const elector = new LeaderElector({
      client: this.opts.client,
      namespace: 'kube-system',
      name: 'kube-controller-manager',
      identity: this.opts.identity ?? `${hostname()}_${randomUUID()}`,
      log: this.log,
      onStartedLeading: (leading) => void this.runControllers(leading),
    });
    await elector.run(signal);
  }

  private async runControllers(signal: AbortSignal): Promise<void> {
    const client = this.opts.client;
    const informers = new SharedInformers(client, this.log);
    const recorders = new Map<string, EventRecorder>();
    const ctx: ControllerContext = {
      client,
      informers,
      log: (component) => logger(component),
      settings: { ...DEFAULT_CONTROLLER_SETTINGS, ...this.opts.settings },
      events: (component) => {
        let r = recorders.get(component);
        if (!r) recorders.set(component, (r = new EventRecorder(client, { component }, this.log)));
        return r;
      },
    };
    const names = this.opts.controllers ?? Object.keys(CONTROLLERS);
    // Every controller listens for the abort: not a leak, however many controllers there are.
    setMaxListeners(10 + 2 * names.length, signal);
    const controllers = names.map((n) => CONTROLLERS[n]!(ctx));
    informers.start();
    this.leading = true;
    try {
      await Promise.race([
        informers.synced(),
        new Promise((r) => signal.addEventListener('abort', r, { once: true })),
      ]);
      if (signal.aborted) return;
      this.log.info('controllers started', { controllers: names });
      await Promise.all(controllers.map((c) => c.run(signal)));
    } finally {
      this.leading = false;
      await informers.stop();
    }
  }
}
