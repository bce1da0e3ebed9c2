/**
 * The PersistentVolume binder (kube-controller-manager's `persistentvolume-binder`): binds pending
 * claims to matching volumes, both ways (PV `spec.claimRef`, PVC `spec.volumeName`, then both
 * phases Bound), moves a volume whose claim is gone to Released and applies its reclaim policy:
 * Retain keeps it, Delete removes the volume object. Claims without a class get the default
 * StorageClass (retroactive default class assignment). Claims of a WaitForFirstConsumer class wait
 * until a pod using them is scheduled, then bind to a volume reachable from that node.
 *
 * Dynamic provisioning is left to external provisioners, which Kubernetes also leaves to them: such
 * claims wait with an ExternalProvisioning event.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { objectKey, splitKey } from '../../client/informer.js';
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  StorageClass,
} from '../../client/objects.js';
import {
  NODES,
  PERSISTENT_VOLUME_CLAIMS,
  PERSISTENT_VOLUMES,
  PODS,
  STORAGE_CLASSES,
} from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { QueueController } from '../controller.js';
import type { ControllerContext } from '../controller.js';
import {
  NO_PROVISIONER,
  SELECTED_NODE_ANNOTATION,
  claimClass,
  findBestMatch,
  isPreboundTo,
} from '../../api/core/volume-matching.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const CLAIM_INDEX = 'claims';

export class PersistentVolumeBinder extends QueueController {
  readonly name = 'persistentvolume-binder';
  private readonly client: RestClient;
  private readonly events: EventRecorder;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly classes: Informer<StorageClass>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;

  constructor(ctx: ControllerContext) {
    super(ctx.log('persistentvolume-binder'));
    this.client = ctx.client;
    this.events = ctx.events('persistentvolume-controller');
    this.volumes = ctx.informers.for<PersistentVolume>(PERSISTENT_VOLUMES);
    this.claims = ctx.informers.for<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS);
    this.classes = ctx.informers.for<StorageClass>(STORAGE_CLASSES);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.nodes = ctx.informers.for<Node>(NODES);
    this.pods.addIndex(CLAIM_INDEX, (pod) =>
      (pod.spec?.volumes ?? []).flatMap((v) =>
        v.persistentVolumeClaim ? [`${pod.metadata.namespace}/${v.persistentVolumeClaim.claimName}`] : [],
      ),
    );
    const claim = (pvc: PersistentVolumeClaim) => this.queue.add(`claim:${objectKey(pvc)}`);
    const volume = (pv: PersistentVolume) => this.queue.add(`volume:${pv.metadata.name}`);
    this.claims.addHandler({
      add: claim,
      update: (_o, pvc) => claim(pvc),
      delete: (pvc) => {
        // Its volume becomes Released.
        const name = pvc.spec?.volumeName;
        if (name) this.queue.add(`volume:${name}`);
        for (const pv of this.volumes.list((v) => isPreboundTo(v, pvc))) volume(pv);
      },
    });
    this.volumes.addHandler({
      add: (pv) => {
        volume(pv);
        this.requeuePendingClaims();
      },
      update: (_o, pv) => {
        volume(pv);
        if (!pv.spec?.claimRef) this.requeuePendingClaims();
      },
    });
    this.classes.addHandler({
      add: () => this.requeuePendingClaims(),
      update: () => this.requeuePendingClaims(),
    });
    const podChanged = (pod: Pod) => {
      if (!pod.spec?.nodeName) return;
      for (const v of pod.spec.volumes ?? [])
        if (v.persistentVolumeClaim)
          this.queue.add(`claim:${pod.metadata.namespace}/${v.persistentVolumeClaim.claimName}`);
    };
    this.pods.addHandler({ add: podChanged, update: (_o, p) => podChanged(p) });
  }

  private requeuePendingClaims(): void {
    for (const pvc of this.claims.list((c) => c.status?.phase !== 'Bound'))
      this.queue.add(`claim:${objectKey(pvc)}`);
  }

  protected async reconcile(key: string): Promise<void> {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    const rest = key.slice(colon + 1);
    if (kind === 'claim') {
      const { namespace, name } = splitKey(rest);
      const pvc = this.claims.get(namespace, name);
      if (pvc) await this.syncClaim(pvc);
    } else {
      const pv = this.volumes.get(undefined, rest);
      if (pv) await this.syncVolume(pv);
    }
  }

  private defaultClass(): StorageClass | undefined {
    // Several defaults: the newest wins, as Kubernetes chooses.
    return this.classes
      .list((c) => c.metadata.annotations?.[ANN_DEFAULT_CLASS] === 'true')
      .sort((a, b) => b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp))[0];
  }

  private async syncClaim(pvc: PersistentVolumeClaim): Promise<void> {
    if (pvc.metadata.deletionTimestamp) return;
    if (pvc.status?.phase === 'Bound' || pvc.metadata.annotations?.[ANN_BIND_COMPLETED] === 'yes') {
      return this.checkBoundClaim(pvc);
    }
    if (pvc.spec?.storageClassName === undefined && !pvc.spec?.volumeName) {
      const def = this.defaultClass();
      if (def) {
        await this.client.patch(
          PERSISTENT_VOLUME_CLAIMS,
          pvc.metadata.namespace,
          pvc.metadata.name,
          'merge',
          {
            metadata: { resourceVersion: pvc.metadata.resourceVersion },
            spec: { storageClassName: def.metadata.name },
          },
        );
        return; // the update comes back through the informer
      }
    }
    const volumes = this.volumes.list();
    if (pvc.spec?.volumeName) {
      const pv = this.volumes.get(undefined, pvc.spec.volumeName);
      if (!pv) return; // waits for the named volume to appear
      if (pv.spec?.claimRef && !isPreboundTo(pv, pvc)) {
        this.events.event(
          pvc,
          'Warning',
          'FailedBinding',
          `volume "${pv.metadata.name}" already bound to a different claim.`,
        );
        return;
      }
      return this.bind(pv, pvc, false);
    }
    const className = claimClass(pvc);
    const cls = className ? this.classes.get(undefined, className) : undefined;
    let node: Node | undefined;
    if (cls?.volumeBindingMode === 'WaitForFirstConsumer') {
      const consumer = this.pods.byIndex(CLAIM_INDEX, objectKey(pvc)).find((p) => p.spec?.nodeName);
      const nodeName = pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] ?? consumer?.spec?.nodeName;
      if (!nodeName) {
        this.events.event(
          pvc,
          'Normal',
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding',
        );
        return;
      }
      node = this.nodes.get(undefined, nodeName);
    }
    const pv = findBestMatch(volumes, pvc, node);
    if (pv) return this.bind(pv, pvc, true);
    if (!className) {
      this.events.event(
        pvc,
        'Normal',
        'FailedBinding',
        'no persistent volumes available for this claim and no storage class is set',
      );
    } else if (!cls) {
      this.events.event(
        pvc,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${className}" not found`,
      );
    } else if (cls.provisioner && cls.provisioner !== NO_PROVISIONER) {
      this.events.event(
        pvc,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
    } else {
      this.events.event(
        pvc,
        'Warning',
        'ProvisioningFailed',
        `no volume plugin matched name: ${cls.provisioner || NO_PROVISIONER}`,
      );
    }
  }

  /** A Bound claim whose volume vanished is Lost. */
  private async checkBoundClaim(pvc: PersistentVolumeClaim): Promise<void> {
    const name = pvc.spec?.volumeName;
    if (!name) return;
    const pv = await this.getLive<PersistentVolume>(PERSISTENT_VOLUMES, undefined, name);
    if (pv && pv.spec?.claimRef?.uid === pvc.metadata.uid) {
      // Finish a bind interrupted after the claim's update (the status write failed, say).
      if (pvc.status?.phase !== 'Bound') await this.writeClaimStatus(pvc, pv);
      return;
    }
    if (pvc.status?.phase === 'Lost') return;
    if (pv && !pv.spec?.claimRef) return this.bind(pv, pvc, false); // the volume's side never completed
    await this.client.patch(
      PERSISTENT_VOLUME_CLAIMS,
      pvc.metadata.namespace,
      pvc.metadata.name,
      'merge',
      { status: { phase: 'Lost' } },
      { subresource: 'status' },
    );
    this.events.event(
      pvc,
      'Warning',
      'ClaimLost',
      'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
    );
  }

  private async bind(pv: PersistentVolume, pvc: PersistentVolumeClaim, byController: boolean): Promise<void> {
    // The volume first: once its claimRef names the claim (with uid) no other claim can take it.
    let boundPv = pv;
    if (pv.spec?.claimRef?.uid !== pvc.metadata.uid || pv.status?.phase !== 'Bound') {
      boundPv = await this.client.update<PersistentVolume>(PERSISTENT_VOLUMES, {
        ...pv,
        metadata: {
          ...pv.metadata,
          annotations: {
            ...(pv.metadata.annotations ?? {}),
            ...(pv.spec?.claimRef ? {} : { [ANN_BOUND_BY_CONTROLLER]: 'yes' }),
          },
        },
        spec: {
          ...pv.spec,
          claimRef: {
            kind: 'PersistentVolumeClaim',
            apiVersion: 'v1',
            namespace: pvc.metadata.namespace,
            name: pvc.metadata.name,
            uid: pvc.metadata.uid,
            resourceVersion: pvc.metadata.resourceVersion,
          },
        },
      });
      boundPv = await this.client.patch<PersistentVolume>(
        PERSISTENT_VOLUMES,
        undefined,
        pv.metadata.name,
        'merge',
        { status: { phase: 'Bound' } },
        { subresource: 'status' },
      );
    }
    const annotations: Record<string, string> = {
      ...(pvc.metadata.annotations ?? {}),
      [ANN_BIND_COMPLETED]: 'yes',
    };
    if (byController) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
    const claim = await this.client.update<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS, {
      ...pvc,
      metadata: { ...pvc.metadata, annotations },
      spec: { ...pvc.spec, volumeName: pv.metadata.name },
    });
    await this.writeClaimStatus(claim, boundPv);
    this.log.info('bound claim', { claim: objectKey(pvc), volume: pv.metadata.name });
  }

  private async writeClaimStatus(pvc: PersistentVolumeClaim, pv: PersistentVolume): Promise<void> {
    await this.client.patch(
      PERSISTENT_VOLUME_CLAIMS,
      pvc.metadata.namespace,
      pvc.metadata.name,
      'merge',
      {
        status: {
          phase: 'Bound',
          accessModes: pv.spec?.accessModes ?? [],
          capacity: pv.spec?.capacity ?? {},
        },
      },
      { subresource: 'status' },
    );
  }

  private async syncVolume(pv: PersistentVolume): Promise<void> {
    if (pv.metadata.deletionTimestamp) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') await this.setVolumePhase(pv, 'Available');
      return;
    }
    const ns = ref.namespace ?? '';
    const claimName = ref.name ?? '';
    let claim = this.claims.get(ns, claimName);
    // The cache may lag behind a new claim; never release a volume on the cache's word alone.
    if (!claim || (ref.uid && claim.metadata.uid !== ref.uid))
      claim = await this.getLive<PersistentVolumeClaim>(PERSISTENT_VOLUME_CLAIMS, ns, claimName);
    if (!ref.uid) {
      // Pre-bound by name: the claim side binds it.
      if (claim) this.queue.add(`claim:${ns}/${claimName}`);
      else if (pv.status?.phase !== 'Available') await this.setVolumePhase(pv, 'Available');
      return;
    }
    if (claim && claim.metadata.uid === ref.uid) {
      if (claim.spec?.volumeName !== pv.metadata.name || claim.status?.phase !== 'Bound')
        this.queue.add(`claim:${ns}/${claimName}`);
      else if (pv.status?.phase !== 'Bound') await this.setVolumePhase(pv, 'Bound');
      return;
    }
    // The claim is gone: the volume is released and its reclaim policy applies.
    if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') {
      pv = await this.setVolumePhase(pv, 'Released');
    }
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete') {
      try {
        await this.client.delete(PERSISTENT_VOLUMES, undefined, pv.metadata.name, {
          preconditions: { uid: pv.metadata.uid },
        });
        this.log.info('deleted released volume', { volume: pv.metadata.name });
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
    } else if (policy === 'Recycle' && pv.status?.phase !== 'Failed') {
      await this.setVolumePhase(
        pv,
        'Failed',
        'Recycle reclaim policy is not supported',
        'VolumeFailedRecycle',
      );
    }
    // Retain: the volume stays Released until an administrator clears its claimRef.
  }

  private async setVolumePhase(
    pv: PersistentVolume,
    phase: string,
    message?: string,
    reason?: string,
  ): Promise<PersistentVolume> {
    if (message && reason) this.events.event(pv, 'Warning', reason, message);
    return this.client.patch<PersistentVolume>(
      PERSISTENT_VOLUMES,
      undefined,
      pv.metadata.name,
      'merge',
      { status: { phase, ...(message ? { message } : { message: null }), ...(reason ? { reason } : {}) } },
      { subresource: 'status' },
    );
  }

  private async getLive<T extends StoredObject>(
    type: typeof PERSISTENT_VOLUMES,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.client.get<T>(type, namespace, name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  }
}
