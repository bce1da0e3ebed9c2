/**
 * The Service strategy: Kubernetes' defaults for core/v1 Services, the validation of the cluster IP
 * fields, and the update preparation kube-apiserver does before allocation (keeping allocated values a
 * client left out, and dropping values that belong to the type the Service is leaving).
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { forbiddenField, invalidValue, notSupported, required } from '../../apimachinery/meta.js';
import type { KubeObject } from '../../apimachinery/meta.js';
import { arr, rec, text } from '../printing.js';
import type { WriteTarget } from '../types.js';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
type Spec = Record<string, unknown>;
const spec = (o: KubeObject): Spec => rec(o['spec']);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const needsClusterIP = (o: KubeObject) => spec(o)['type'] !== 'ExternalName';
const needsNodePort = (o: KubeObject) => ['NodePort', 'LoadBalancer'].includes(text(spec(o)['type']));
const needsHCNodePort = (o: KubeObject) =>
  spec(o)['type'] === 'LoadBalancer' && spec(o)['externalTrafficPolicy'] === 'Local';
const externallyAccessible = (o: KubeObject) =>
  needsNodePort(o) || (spec(o)['type'] === 'ClusterIP' && arr(spec(o)['externalIPs']).length > 0);
const goStrings = (v: unknown): string =>
  Array.isArray(v) ? `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}` : '[]string(nil)';

/** SetDefaults_Service, plus the create-time sync of clusterIPs from a lone clusterIP. */
export function defaultService(o: KubeObject): void {
  const s = rec((o['spec'] ??= {}));
  s['sessionAffinity'] ??= 'None';
  if (s['sessionAffinity'] === 'None') delete s['sessionAffinityConfig'];
  if (s['sessionAffinity'] === 'ClientIP') {
    const cfg = rec((s['sessionAffinityConfig'] ??= {}));
    rec((cfg['clientIP'] ??= {}))['timeoutSeconds'] ??= 10800;
  }
  s['type'] ??= 'ClusterIP';
  for (const p of arr(s['ports'])) {
    p['protocol'] ??= 'TCP';
    if (p['targetPort'] === undefined || p['targetPort'] === 0 || p['targetPort'] === '')
      p['targetPort'] = p['port'];
  }
  if (externallyAccessible(o) && !s['externalTrafficPolicy']) s['externalTrafficPolicy'] = 'Cluster';
  if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(text(s['type'])))
    s['internalTrafficPolicy'] ??= 'Cluster';
  if (s['type'] === 'LoadBalancer') s['allocateLoadBalancerNodePorts'] ??= true;
  if (s['clusterIP'] && !arr(s['clusterIPs']).length) s['clusterIPs'] = [s['clusterIP']];
  o['status'] ??= { loadBalancer: {} };
}

function ipErrors(ip: string): string[] {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4 && v4.slice(1).every((p) => Number(p) <= 255 && (p === '0' || !p.startsWith('0')))) return [];
  if (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip)) return [];
  return ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
}

export function validateService(o: KubeObject, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec(o);
  const type = text(s['type']);
  if (!SERVICE_TYPES.includes(type)) errs.push(notSupported('spec.type', s['type'], SERVICE_TYPES));
  const ports = arr(s['ports']);
  if (type !== 'ExternalName' && s['clusterIP'] !== 'None' && ports.length === 0)
    errs.push(required('spec.ports'));
  for (const [i, p] of ports.entries()) {
    const port = p['port'];
    if (typeof port !== 'number' || port < 1 || port > 65535)
      errs.push(invalidValue(`spec.ports[${i}].port`, port ?? 0, 'must be between 1 and 65535, inclusive'));
    if (ports.length > 1 && !p['name']) errs.push(required(`spec.ports[${i}].name`));
    if (p['nodePort'] && (type === 'ClusterIP' || type === 'ExternalName'))
      errs.push(forbiddenField(`spec.ports[${i}].nodePort`, `may not be used when \`type\` is '${type}'`));
  }
  if (type === 'ExternalName') {
    if (!s['externalName']) errs.push(required('spec.externalName'));
    if (s['clusterIP'])
      errs.push(forbiddenField('spec.clusterIP', 'may not be set for ExternalName services'));
  } else {
    // clusterIP and clusterIPs move together: clusterIPs[0] is clusterIP.
    const ips = s['clusterIPs'];
    if (s['clusterIP']) {
      if (!arr(ips).length) errs.push(required('spec.clusterIPs'));
      else if ((ips as unknown[])[0] !== s['clusterIP'])
        errs.push({
          type: 'FieldValueInvalid',
          field: 'spec.clusterIPs',
          detail: `Invalid value: ${goStrings(ips)}: first value must match \`clusterIP\``,
        });
    } else if (arr(ips).length)
      errs.push({
        type: 'FieldValueInvalid',
        field: 'spec.clusterIPs',
        detail: `Invalid value: ${goStrings(ips)}: must be empty when \`clusterIP\` is not specified`,
      });
    for (const [i, ip] of (Array.isArray(ips) ? (ips as unknown[]) : []).entries()) {
      if (i === 0 && ip === 'None') continue;
      for (const e of ipErrors(text(ip))) errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, e));
    }
  }
  if (old) errs.push(...validateClusterIPsUpdate(o, old));
  return errs;
}

const headless = (o: KubeObject) => {
  const ips = arr<string>(spec(o)['clusterIPs']);
  return ips.length === 1 && ips[0] === 'None';
};

/** The primary cluster IP may not change, except on the way to or from ExternalName. */
function validateClusterIPsUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  if (!needsClusterIP(o) || !needsClusterIP(old)) return [];
  if (headless(o) && headless(old)) return [];
  const now = spec(o)['clusterIPs'] as string[] | undefined;
  const was = arr<string>(spec(old)['clusterIPs']);
  const cur = now ?? [];
  const err = (detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field: 'spec.clusterIPs[0]',
    detail: `Invalid value: ${goStrings(now)}: ${detail}`,
  });
  if (was.length === cur.length) {
    return was.flatMap((ip, i) =>
      ip !== cur[i]
        ? [{ ...err('may not change once set'), field: `spec.clusterIPs[${i}]` } satisfies FieldError]
        : [],
    );
  }
  if (was.length > cur.length) {
    if (cur.length === 0) return [err('primary clusterIP can not be unset')];
    return cur[0] !== was[0] ? [err('may not change once set')] : [];
  }
  return was.length > 0 && cur[0] !== was[0] ? [err('may not change once set')] : [];
}

/**
 * Before defaults and validation of an update: NormalizeClusterIPs, dropTypeDependentFields and
 * patchAllocatedValues, in that order, as kube-apiserver's service strategy and storage do.
 */
export function prepareServiceUpdate(o: KubeObject, old: KubeObject, target: WriteTarget): void {
  if (target !== 'main') return;
  const s = rec((o['spec'] ??= {}));
  const was = spec(old);
  s['type'] ??= 'ClusterIP';
  // A client that knows only clusterIP (or patches around clusterIPs) keeps the old clusterIPs.
  if (arr(was['clusterIPs']).length && !arr(s['clusterIPs']).length && was['clusterIP'] === s['clusterIP'])
    s['clusterIPs'] = was['clusterIPs'];
  if (was['clusterIP'] !== s['clusterIP']) {
    if (was['clusterIP'] && !s['clusterIP'] && same(was['clusterIPs'], s['clusterIPs']))
      delete s['clusterIPs'];
    if (s['clusterIP'] && same(was['clusterIPs'], s['clusterIPs'])) s['clusterIPs'] = [s['clusterIP']];
  }

  if (needsClusterIP(old) && !needsClusterIP(o)) {
    if (same(was['clusterIPs'], s['clusterIPs'])) {
      delete s['clusterIP'];
      delete s['clusterIPs'];
    }
    if (same(was['ipFamilies'], s['ipFamilies'])) delete s['ipFamilies'];
    if (same(was['ipFamilyPolicy'], s['ipFamilyPolicy'])) delete s['ipFamilyPolicy'];
  }
  const nodePorts = (x: Spec) => arr(x['ports']).map((p) => p['nodePort'] ?? 0);
  if (needsNodePort(old) && !needsNodePort(o) && same(nodePorts(was), nodePorts(s)))
    for (const p of arr(s['ports'])) delete p['nodePort'];
  if (
    needsHCNodePort(old) &&
    !needsHCNodePort(o) &&
    same(was['healthCheckNodePort'], s['healthCheckNodePort'])
  )
    delete s['healthCheckNodePort'];
  if (was['type'] === 'LoadBalancer' && s['type'] !== 'LoadBalancer') {
    if (
      s['allocateLoadBalancerNodePorts'] !== undefined &&
      s['allocateLoadBalancerNodePorts'] === was['allocateLoadBalancerNodePorts']
    )
      delete s['allocateLoadBalancerNodePorts'];
    if (same(was['loadBalancerClass'], s['loadBalancerClass'])) delete s['loadBalancerClass'];
    o['status'] = { ...rec(o['status']), loadBalancer: {} };
  }
  if (
    externallyAccessible(old) &&
    !externallyAccessible(o) &&
    was['externalTrafficPolicy'] === s['externalTrafficPolicy']
  )
    delete s['externalTrafficPolicy'];

  // Values allocated before and left out of this request are kept.
  if (needsClusterIP(old) && needsClusterIP(o)) {
    if (!s['clusterIP'] && was['clusterIP']) s['clusterIP'] = was['clusterIP'];
    if (!arr(s['clusterIPs']).length && arr(was['clusterIPs']).length) s['clusterIPs'] = was['clusterIPs'];
  }
  if (needsNodePort(old) && needsNodePort(o)) {
    const used = new Set(nodePorts(s).filter((n) => n));
    const byName = new Map(arr(was['ports']).map((p) => [text(p['name'] ?? ''), p['nodePort']]));
    for (const p of arr(s['ports'])) {
      if (p['nodePort']) continue;
      const prev = byName.get(text(p['name'] ?? ''));
      if (typeof prev === 'number' && prev && !used.has(prev)) p['nodePort'] = prev;
    }
  }
  if (needsHCNodePort(old) && needsHCNodePort(o) && !s['healthCheckNodePort'])
    s['healthCheckNodePort'] = was['healthCheckNodePort'];
}
