/**
 * Cluster IPs and node ports for Services, the way kube-apiserver's service REST storage hands them
 * out: IP family fields initialised, a cluster IP for every Service that is neither ExternalName nor
 * headless, node ports for NodePort and LoadBalancer ports, a health check node port for LoadBalancers
 * with externalTrafficPolicy Local. Every change is a transaction: values taken for a write are given
 * back when the write fails (revert), values the write frees are given back only once it succeeded
 * (commit).
 */
import * as E from '../../apimachinery/errors.js';
import type { FieldError } from '../../apimachinery/errors.js';
import type { KubeObject, StoredObject } from '../../apimachinery/meta.js';
import { arr, rec, text } from '../../api/printing.js';
import type { Store } from '../../storage/store.js';
import type { Logger } from '../../util/log.js';
import type { WriteHooks, WriteTxn } from '../registry/write-hooks.js';
import { portRange, serviceCidr } from './ranges.js';
import { AlreadyAllocatedError, NotInRangeError, RangeFullError, StoreAllocator } from './store-allocator.js';
import type { Owner } from './store-allocator.js';

export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';
export const IP_ALLOCATIONS_PREFIX = '_allocations/serviceips/';
export const PORT_ALLOCATIONS_PREFIX = '_allocations/servicenodeports/';

const SERVICE = { group: '', resource: 'services', kind: 'Service' };

/** `%#v` of a Go []string, as field errors print slices. */
export function goStrings(v: string[] | undefined): string {
  return v === undefined ? '[]string(nil)' : `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;
}

const invalidRaw = (field: string, shown: string, detail: string): FieldError => ({
  type: 'FieldValueInvalid',
  field,
  detail: `Invalid value: ${shown}: ${detail}`,
});

type Spec = Record<string, unknown>;
const specOf = (svc: KubeObject): Spec => rec(svc['spec']);
const typeOf = (svc: KubeObject): string => text(specOf(svc)['type'] ?? 'ClusterIP');
const clusterIPsOf = (svc: KubeObject): string[] | undefined =>
  specOf(svc)['clusterIPs'] as string[] | undefined;

export function isHeadless(svc: KubeObject): boolean {
  const ips = clusterIPsOf(svc);
  return (ips?.length === 1 && ips[0] === 'None') || specOf(svc)['clusterIP'] === 'None';
}
export const needsClusterIP = (svc: KubeObject): boolean => typeOf(svc) !== 'ExternalName';
export const needsNodePorts = (svc: KubeObject): boolean =>
  typeOf(svc) === 'NodePort' || typeOf(svc) === 'LoadBalancer';
export const needsHealthCheck = (svc: KubeObject): boolean =>
  typeOf(svc) === 'LoadBalancer' && specOf(svc)['externalTrafficPolicy'] === 'Local';
const shouldAllocateNodePorts = (svc: KubeObject): boolean =>
  typeOf(svc) === 'NodePort' ||
  (typeOf(svc) === 'LoadBalancer' && specOf(svc)['allocateLoadBalancerNodePorts'] !== false);

/** Every node port a Service holds, health check port included. */
export function nodePortsOf(svc: KubeObject): number[] {
  const out = new Set<number>();
  for (const p of arr(specOf(svc)['ports']))
    if (typeof p['nodePort'] === 'number' && p['nodePort'] !== 0) out.add(p['nodePort']);
  const hc = specOf(svc)['healthCheckNodePort'];
  if (typeof hc === 'number' && hc !== 0) out.add(hc);
  return [...out];
}

/** The cluster IPs a Service holds (none for ExternalName and headless Services). */
export function clusterIPsHeld(svc: KubeObject): string[] {
  if (!needsClusterIP(svc) || isHeadless(svc)) return [];
  return (clusterIPsOf(svc) ?? []).filter((ip) => ip && ip !== 'None');
}

export const ownerOf = (svc: KubeObject): Owner => ({
  namespace: svc.metadata?.namespace ?? '',
  name: svc.metadata?.name ?? '',
  ...(svc.metadata?.uid ? { uid: svc.metadata.uid } : {}),
});

/** What one write took and what it frees. */
class Txn implements WriteTxn {
  readonly takenIPs: string[] = [];
  readonly takenPorts: number[] = [];
  readonly freedIPs: string[] = [];
  readonly freedPorts: number[] = [];

  constructor(
    private readonly alloc: ServiceAllocator,
    private readonly owner: Owner,
    private readonly dryRun: boolean,
  ) {}

  async commit(): Promise<void> {
    if (this.dryRun) return;
    await this.alloc.releaseValues(this.freedIPs, this.freedPorts, this.owner);
  }

  async revert(): Promise<void> {
    if (this.dryRun) return;
    await this.alloc.releaseValues(this.takenIPs, this.takenPorts, this.owner);
  }
}

export interface ServiceAllocatorOptions {
  serviceCIDR?: string;
  nodePortRange?: string;
  log: Logger;
}

export class ServiceAllocator implements WriteHooks {
  readonly ips: StoreAllocator;
  readonly ports: StoreAllocator;
  readonly cidr: ReturnType<typeof serviceCidr>;
  private readonly log: Logger;

  constructor(store: Store, opts: ServiceAllocatorOptions) {
    this.log = opts.log;
    this.cidr = serviceCidr(opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR);
    const ports = portRange(opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
    this.ips = new StoreAllocator(store, {
      prefix: IP_ALLOCATIONS_PREFIX,
      range: this.cidr,
      allocatedText: 'provided IP is already allocated',
      notInRangeText: (ip) =>
        `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr.text}`,
    });
    this.ports = new StoreAllocator(store, {
      prefix: PORT_ALLOCATIONS_PREFIX,
      range: ports,
      allocatedText: 'provided port is already allocated',
      notInRangeText: () =>
        `provided port is not in the valid range. The range of valid ports is ${ports.text}`,
    });
  }

  async start(): Promise<void> {
    await this.ips.refresh();
    await this.ports.refresh();
  }

  // ---- WriteHooks ----

  async beginCreate(obj: StoredObject, dryRun: boolean): Promise<WriteTxn> {
    const txn = new Txn(this, ownerOf(obj), dryRun);
    try {
      this.initIPFamilyFields(obj, undefined);
      if (needsClusterIP(obj) && !isHeadless(obj)) await this.allocClusterIP(obj, txn, dryRun);
      if (needsNodePorts(obj)) await this.allocNodePorts(obj, undefined, txn, dryRun);
      if (needsHealthCheck(obj)) await this.allocHealthCheckNodePort(obj, txn, dryRun);
      return txn;
    } catch (err) {
      await txn.revert();
      throw err;
    }
  }

  async beginUpdate(obj: StoredObject, old: StoredObject, dryRun: boolean): Promise<WriteTxn> {
    const txn = new Txn(this, ownerOf(obj), dryRun);
    try {
      this.initIPFamilyFields(obj, old);
      // Cluster IPs change only with a change to or from ExternalName.
      if (!needsClusterIP(old) && needsClusterIP(obj) && !isHeadless(obj))
        await this.allocClusterIP(obj, txn, dryRun);
      else if (needsClusterIP(old) && !needsClusterIP(obj)) txn.freedIPs.push(...clusterIPsHeld(old));

      const oldPorts = portNumbers(old);
      if (needsNodePorts(old) && !needsNodePorts(obj)) txn.freedPorts.push(...oldPorts);
      if (needsNodePorts(obj)) {
        await this.allocNodePorts(obj, old, txn, dryRun);
        const kept = new Set(portNumbers(obj));
        if (needsNodePorts(old)) txn.freedPorts.push(...oldPorts.filter((p) => !kept.has(p)));
      }
      await this.updateHealthCheckNodePort(obj, old, txn, dryRun);
      return txn;
    } catch (err) {
      await txn.revert();
      throw err;
    }
  }

  async afterDelete(obj: StoredObject): Promise<void> {
    await this.releaseValues(clusterIPsHeld(obj), nodePortsOf(obj), ownerOf(obj));
  }

  // ---- steps ----

  async releaseValues(ips: string[], ports: number[], owner: Owner): Promise<void> {
    for (const ip of ips)
      await this.ips.release(ip, owner).catch((err: unknown) => {
        this.log.warn('could not release cluster IP; the repair pass will', { ip, err });
      });
    for (const port of ports)
      await this.ports.release(String(port), owner).catch((err: unknown) => {
        this.log.warn('could not release node port; the repair pass will', { port, err });
      });
  }

  /**
   * ipFamilyPolicy and ipFamilies as kube-apiserver fills them in on a single-stack IPv4 cluster, with
   * its refusals of what the cluster cannot serve.
   */
  private initIPFamilyFields(svc: KubeObject, old: KubeObject | undefined): void {
    if (!needsClusterIP(svc)) return;
    const spec = specOf(svc);
    const selectorless = Object.keys(rec(spec['selector'])).length === 0;
    const headless = spec['clusterIP'] === 'None';
    if (spec['ipFamilyPolicy'] === undefined || spec['ipFamilyPolicy'] === null) {
      const oldPolicy = old ? specOf(old)['ipFamilyPolicy'] : undefined;
      spec['ipFamilyPolicy'] = oldPolicy ?? (headless && selectorless ? 'RequireDualStack' : 'SingleStack');
    }
    const policy = String(spec['ipFamilyPolicy']);
    const errs: FieldError[] = [];
    const ips = (spec['clusterIPs'] as string[] | undefined) ?? [];
    const families = [...arr<string>(spec['ipFamilies'])];
    if (policy === 'SingleStack') {
      if (ips.length === 2)
        errs.push(
          invalidRaw(
            'spec.ipFamilyPolicy',
            JSON.stringify(policy),
            "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
          ),
        );
      if (families.length === 2)
        errs.push(
          invalidRaw(
            'spec.ipFamilyPolicy',
            JSON.stringify(policy),
            "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
          ),
        );
    }
    for (const [i, ip] of ips.entries()) {
      if (ip === 'None') break;
      const fam = ip.includes(':') ? 'IPv6' : 'IPv4';
      if (i >= families.length) {
        if (fam !== this.cidr.family)
          errs.push(
            invalidRaw(`spec.clusterIPs[${i}]`, goStrings(ips), `${fam} is not configured on this cluster`),
          );
        else families.push(fam);
      }
    }
    if (errs.length) throw E.invalid(SERVICE, svc.metadata?.name ?? '', errs);
    if (headless && selectorless) {
      // Headless Services without selectors may name families the cluster does not serve.
      if (!families.length) families.push(this.cidr.family);
      if (families.length < 2 && policy !== 'SingleStack')
        families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
      spec['ipFamilies'] = families;
      return;
    }
    if (policy === 'RequireDualStack')
      errs.push(
        invalidRaw(
          'spec.ipFamilyPolicy',
          JSON.stringify(policy),
          'this cluster is not configured for dual-stack services',
        ),
      );
    for (const [i, fam] of families.entries())
      if (fam !== this.cidr.family)
        errs.push(invalidRaw(`spec.ipFamilies[${i}]`, JSON.stringify(fam), 'not configured on this cluster'));
    if (errs.length) throw E.invalid(SERVICE, svc.metadata?.name ?? '', errs);
    if (!families.length) families.push(this.cidr.family);
    spec['ipFamilies'] = families;
  }

  private async allocClusterIP(svc: KubeObject, txn: Txn, dryRun: boolean): Promise<void> {
    const spec = specOf(svc);
    const wanted = ((spec['clusterIPs'] as string[] | undefined) ?? [])[0] ?? '';
    let ip: string;
    if (!wanted) {
      try {
        ip = await this.ips.allocateNext(ownerOf(svc), dryRun);
      } catch (err) {
        if (err instanceof RangeFullError)
          throw E.internalError(`failed to allocate a serviceIP: ${err.message}`);
        throw err;
      }
    } else {
      try {
        await this.ips.allocate(wanted, ownerOf(svc), dryRun);
      } catch (err) {
        if (err instanceof AlreadyAllocatedError || err instanceof NotInRangeError)
          throw E.invalid(SERVICE, svc.metadata?.name ?? '', [
            invalidRaw(
              'spec.clusterIPs',
              goStrings(spec['clusterIPs'] as string[] | undefined),
              `failed to allocate IP ${wanted}: ${err.message}`,
            ),
          ]);
        throw err;
      }
      ip = wanted;
    }
    txn.takenIPs.push(ip);
    spec['clusterIP'] = ip;
    spec['clusterIPs'] = [ip];
  }

  private async takePort(
    svc: KubeObject,
    field: string,
    port: number,
    txn: Txn,
    dryRun: boolean,
    errorPrefix = '',
  ): Promise<void> {
    try {
      await this.ports.allocate(String(port), ownerOf(svc), dryRun);
    } catch (err) {
      if (err instanceof AlreadyAllocatedError || err instanceof NotInRangeError) {
        if (errorPrefix) throw E.internalError(`${errorPrefix}${err.message}`);
        throw E.invalid(SERVICE, svc.metadata?.name ?? '', [invalidRaw(field, String(port), err.message)]);
      }
      throw err;
    }
    txn.takenPorts.push(port);
  }

  private async nextPort(svc: KubeObject, txn: Txn, dryRun: boolean, what: string): Promise<number> {
    try {
      const port = Number(await this.ports.allocateNext(ownerOf(svc), dryRun));
      txn.takenPorts.push(port);
      return port;
    } catch (err) {
      if (err instanceof RangeFullError)
        throw E.internalError(`failed to allocate a ${what}: ${err.message}`);
      throw err;
    }
  }

  /**
   * Node ports for each port: the one asked for, or a new one. Ports sharing a port number share a node
   * port (TCP and UDP on 53, say). On update, node ports the old object held are kept without a new
   * allocation.
   */
  private async allocNodePorts(
    svc: KubeObject,
    old: KubeObject | undefined,
    txn: Txn,
    dryRun: boolean,
  ): Promise<void> {
    const held = new Set(old && needsNodePorts(old) ? portNumbers(old) : []);
    const byServicePort = new Map<number, number>();
    const ports = arr(specOf(svc)['ports']);
    for (const [i, p] of ports.entries()) {
      const requested = typeof p['nodePort'] === 'number' ? p['nodePort'] : 0;
      if (requested === 0 && !shouldAllocateNodePorts(svc)) continue;
      const servicePort = Number(p['port']);
      const shared = byServicePort.get(servicePort);
      if (requested === 0 && shared !== undefined) {
        p['nodePort'] = shared;
        continue;
      }
      if (requested !== 0) {
        const sameAsEarlier = [...byServicePort.values()].includes(requested);
        if (!held.has(requested) && !sameAsEarlier)
          await this.takePort(svc, `spec.ports[${i}].nodePort`, requested, txn, dryRun);
        byServicePort.set(servicePort, requested);
        continue;
      }
      const port = await this.nextPort(svc, txn, dryRun, 'nodePort');
      p['nodePort'] = port;
      byServicePort.set(servicePort, port);
    }
  }

  private async allocHealthCheckNodePort(svc: KubeObject, txn: Txn, dryRun: boolean): Promise<void> {
    const spec = specOf(svc);
    const requested = typeof spec['healthCheckNodePort'] === 'number' ? spec['healthCheckNodePort'] : 0;
    if (requested) {
      await this.takePort(
        svc,
        'spec.healthCheckNodePort',
        requested,
        txn,
        dryRun,
        `failed to allocate requested HealthCheck NodePort ${requested}: `,
      );
      return;
    }
    spec['healthCheckNodePort'] = await this.nextPort(svc, txn, dryRun, 'HealthCheck NodePort');
  }

  private async updateHealthCheckNodePort(
    svc: KubeObject,
    old: KubeObject,
    txn: Txn,
    dryRun: boolean,
  ): Promise<void> {
    const needed = needsHealthCheck(old);
    const needs = needsHealthCheck(svc);
    const spec = specOf(svc);
    const oldPort = specOf(old)['healthCheckNodePort'];
    if (!needed && needs) await this.allocHealthCheckNodePort(svc, txn, dryRun);
    else if (needed && !needs) {
      if (typeof oldPort === 'number' && oldPort && !portNumbers(svc).includes(oldPort))
        txn.freedPorts.push(oldPort);
      delete spec['healthCheckNodePort'];
    }
  }
}

/** The node ports of a Service's ports (not the health check port). */
function portNumbers(svc: KubeObject): number[] {
  const out: number[] = [];
  for (const p of arr(specOf(svc)['ports']))
    if (typeof p['nodePort'] === 'number' && p['nodePort'] !== 0 && !out.includes(p['nodePort']))
      out.push(p['nodePort']);
  return out;
}
