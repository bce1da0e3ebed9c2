/**
 * Binding a pod to a node, how the scheduler assigns pods: POST a Binding to pods/NAME/binding (or to
 * the legacy namespaced `bindings` collection). Sets spec.nodeName once, merges the Binding's
 * annotations, and marks the pod PodScheduled=True; a pod already bound or being deleted is a Conflict.
 */
import * as E from '../../apimachinery/errors.js';
import type { FieldError } from '../../apimachinery/errors.js';
import { notSupported, now, required } from '../../apimachinery/meta.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { arr, at, rec } from '../../api/printing.js';
import type { ResourceContext } from './resources.js';
import { defOf, isDryRun, readTypedBody, respond, successStatus } from './virtual-io.js';
import type { VirtualServices } from './virtual-io.js';

const BINDING = { group: '', resource: 'bindings', kind: 'Binding' };

/** Sets (or replaces) a pod condition; the transition time moves only when the status changes. */
export function setPodCondition(pod: StoredObject, type: string, status: string): void {
  const st = rec((pod['status'] ??= {}));
  const conditions = arr(st['conditions']);
  const i = conditions.findIndex((c) => c['type'] === type);
  const old = i >= 0 ? conditions[i] : undefined;
  const next: Record<string, unknown> = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: old && old['status'] === status ? old['lastTransitionTime'] : now(),
  };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  st['conditions'] = conditions;
}

/** `fromCollection`: POST .../bindings, where the pod is the one the Binding names. */
export async function bindPod(
  ctx: ResourceContext,
  svc: VirtualServices,
  fromCollection: boolean,
): Promise<void> {
  const binding = await readTypedBody(ctx, [{ apiVersion: 'v1', kind: 'Binding' }]);
  const meta = binding.metadata ?? {};
  const podName = fromCollection ? (meta.name ?? '') : ctx.info.name;
  if (!fromCollection && meta.name !== podName)
    throw E.badRequest('name in URL does not match name in Binding object');
  if (meta.namespace && meta.namespace !== ctx.info.namespace)
    throw E.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  const kind = at(binding, 'target.kind');
  const node = at(binding, 'target.name');
  const errs: FieldError[] = [];
  if (kind !== undefined && kind !== '' && kind !== 'Node')
    errs.push(notSupported('target.kind', kind, ['Node', '<empty>']));
  if (typeof node !== 'string' || node === '') errs.push(required('target.name'));
  if (errs.length) throw E.invalid(BINDING, podName, errs);
  const target = node as string;

  const pods = defOf(svc, '', 'v1', 'pods');
  const dryRun = isDryRun(ctx);
  const conflict = (why: string) => E.conflict({ group: '', resource: 'pods/binding' }, podName, why);
  const assign = (pod: StoredObject): StoredObject => {
    if (pod.metadata.deletionTimestamp)
      throw conflict(`pod ${podName} is being deleted, cannot be assigned to a host`);
    const current = at(pod, 'spec.nodeName');
    if (current) throw conflict(`pod ${podName} is already assigned to node ${JSON.stringify(current)}`);
    if (arr(at(pod, 'spec.schedulingGates')).length)
      throw conflict(`pod ${podName} has non-empty .spec.schedulingGates`);
    rec((pod['spec'] ??= {}))['nodeName'] = target;
    if (meta.annotations && Object.keys(meta.annotations).length)
      pod.metadata.annotations = { ...pod.metadata.annotations, ...meta.annotations };
    setPodCondition(pod, 'PodScheduled', 'True');
    return pod;
  };
  if (dryRun) assign(await ctx.objects.get(pods, ctx.info.namespace, podName));
  else await ctx.objects.guaranteedUpdate(pods, ctx.info.namespace, podName, assign);
  respond(ctx, 201, successStatus(201));
}
