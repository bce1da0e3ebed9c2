/**
 * POST pods/NAME/eviction (policy/v1 Eviction, what `kubectl drain` sends): deletes the pod with the
 * Eviction's deleteOptions unless a PodDisruptionBudget selecting it has no disruption left, following
 * kube-apiserver's rules: pods that are pending, finished or already terminating skip the budget; a
 * pod that is not Ready while the budget is satisfied is deleted without using one up; otherwise the
 * budget's disruptionsAllowed is decremented and the pod recorded in disruptedPods, or 429 is returned.
 */
import * as E from '../../apimachinery/errors.js';
import { selectorFromLabelSelector } from '../../apimachinery/labels/index.js';
import type { LabelSelectorSpec } from '../../apimachinery/labels/index.js';
import { now } from '../../apimachinery/meta.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { arr, at, num, rec } from '../../api/printing.js';
import type { ResourceContext, DeleteOptions } from './resources.js';
import { deleteOne } from './resources.js';
import { defOf, isDryRun, readTypedBody, respond, successStatus } from './virtual-io.js';
import type { VirtualServices } from './virtual-io.js';

/** Evictions approved but not yet seen by the disruption controller, past which evictions are refused. */
const MAX_DISRUPTED_PODS = 2000;
const CONFLICT_RETRIES = 20;

const PDB_RESOURCE = { group: 'policy', resource: 'poddisruptionbudget' };

function tooManyRequests(message: string, retryAfterSeconds = 0): E.StatusError {
  return new E.StatusError(
    429,
    'TooManyRequests',
    "Cannot evict pod as it would violate the pod's disruption budget.",
    {
      ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
      causes: [{ reason: 'DisruptionBudget', message }],
    },
  );
}

const stillProcessing = (pdb: string) =>
  tooManyRequests(`The disruption budget ${pdb} is still being processed by the server.`, 10);

export function isPodReady(pod: StoredObject): boolean {
  return arr(at(pod, 'status.conditions')).some((c) => c['type'] === 'Ready' && c['status'] === 'True');
}

/** Finished, pending and terminating pods are deleted without consulting budgets. */
function canIgnoreBudgets(pod: StoredObject): boolean {
  const phase = at(pod, 'status.phase');
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    phase === 'Pending' ||
    Boolean(pod.metadata.deletionTimestamp)
  );
}

async function budgetsFor(
  ctx: ResourceContext,
  svc: VirtualServices,
  pod: StoredObject,
): Promise<StoredObject[]> {
  const list = await ctx.objects.list(
    defOf(svc, 'policy', 'v1', 'poddisruptionbudgets'),
    pod.metadata.namespace,
  );
  return list.items.filter((pdb) => {
    const spec = at(pdb, 'spec.selector') as LabelSelectorSpec | undefined;
    if (!spec) return false;
    try {
      const sel = selectorFromLabelSelector(spec);
      // An empty selector matches nothing here, not everything.
      return !sel.empty() && sel.matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  });
}

/** Uses up one disruption of `pdb` for `podName`, or throws the 429/403 kube-apiserver gives. */
function checkAndDecrement(pdb: StoredObject, podName: string, dryRun: boolean): StoredObject | undefined {
  const name = pdb.metadata.name;
  const status = rec((pdb['status'] ??= {}));
  if (num(status['observedGeneration']) < (pdb.metadata.generation ?? 1)) throw stillProcessing(name);
  const allowed = num(status['disruptionsAllowed']);
  if (allowed < 0) throw E.forbidden(PDB_RESOURCE, name, 'pdb disruptions allowed is negative');
  if (Object.keys(rec(status['disruptedPods'])).length > MAX_DISRUPTED_PODS)
    throw E.forbidden(
      PDB_RESOURCE,
      name,
      'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
    );
  if (allowed === 0)
    throw tooManyRequests(
      `The disruption budget ${name} needs ${num(status['desiredHealthy'])} healthy pods and has ${num(status['currentHealthy'])} currently`,
    );
  status['disruptionsAllowed'] = allowed - 1;
  if (allowed - 1 === 0) {
    const conditions = arr(status['conditions']);
    const i = conditions.findIndex((c) => c['type'] === 'DisruptionAllowed');
    const old = i >= 0 ? conditions[i] : undefined;
    const cond = {
      type: 'DisruptionAllowed',
      status: 'False',
      observedGeneration: num(status['observedGeneration']),
      lastTransitionTime: old && old['status'] === 'False' ? old['lastTransitionTime'] : now(),
      reason: 'InsufficientPods',
      message: '',
    };
    if (i >= 0) conditions[i] = cond;
    else conditions.push(cond);
    status['conditions'] = conditions;
  }
  if (dryRun) return undefined;
  status['disruptedPods'] = { ...rec(status['disruptedPods']), [podName]: now() };
  return pdb;
}

export async function evictPod(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  const eviction = await readTypedBody(ctx, [
    { apiVersion: 'policy/v1', kind: 'Eviction' },
    { apiVersion: 'policy/v1beta1', kind: 'Eviction' },
  ]);
  const name = ctx.info.name;
  if (eviction.metadata?.name !== name)
    throw E.badRequest('name in URL does not match name in Eviction object');
  const opts = { ...((eviction['deleteOptions'] as DeleteOptions | undefined) ?? {}) };
  const dryRun = isDryRun(ctx, (opts as { dryRun?: unknown }).dryRun);
  // deleteOne reads dry-run from the URL; the Eviction body may carry it instead.
  const delCtx: ResourceContext =
    dryRun && !ctx.url.searchParams.has('dryRun')
      ? { ...ctx, url: new URL(`${ctx.url.pathname}?dryRun=All`, ctx.url) }
      : ctx;
  const callerPinned = opts.preconditions?.resourceVersion !== undefined;
  const pods = defOf(svc, '', 'v1', 'pods');
  const podCtx: ResourceContext = { ...delCtx, def: pods };

  let pod: StoredObject | undefined;
  for (let attempt = 0; ; attempt++) {
    pod = await ctx.objects.get(pods, ctx.info.namespace, name);
    if (!canIgnoreBudgets(pod)) break;
    const phase = at(pod, 'status.phase');
    const enforce = phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
    const o: DeleteOptions =
      enforce && !callerPinned
        ? { ...opts, preconditions: { ...opts.preconditions, resourceVersion: pod.metadata.resourceVersion } }
        : opts;
    try {
      await deleteOne(podCtx, pod, o);
      respond(ctx, 201, successStatus(201));
      return;
    } catch (err) {
      if (!callerPinned && E.isStatusError(err, 'Conflict') && attempt < CONFLICT_RETRIES) continue;
      throw err;
    }
  }

  const budgets = await budgetsFor(ctx, svc, pod);
  if (budgets.length > 1) {
    respond(ctx, 500, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      code: 500,
    });
    return;
  }
  let pinToPod = false;
  const pdb = budgets[0];
  if (pdb) {
    const status = rec(pdb['status']);
    const policy = at(pdb, 'spec.unhealthyPodEvictionPolicy');
    const desired = num(status['desiredHealthy']);
    if (
      !isPodReady(pod) &&
      (policy === 'AlwaysAllow' || (num(status['currentHealthy']) >= desired && desired > 0))
    ) {
      // An unhealthy pod does not count towards the budget: delete it without using a disruption.
      pinToPod = true;
    } else {
      const pdbDef = defOf(svc, 'policy', 'v1', 'poddisruptionbudgets');
      let current: StoredObject = pdb;
      for (let attempt = 0; ; attempt++) {
        const next = checkAndDecrement(structuredClone(current), name, dryRun);
        if (!next) break;
        try {
          await ctx.objects.update(pdbDef, next, Number(current.metadata.resourceVersion));
          break;
        } catch (err) {
          if (!E.isStatusError(err, 'Conflict')) throw err;
          if (attempt >= CONFLICT_RETRIES)
            throw E.timeout(`couldn't update PodDisruptionBudget "${pdb.metadata.name}" due to conflicts`);
          current = await ctx.objects.get(pdbDef, pdb.metadata.namespace, pdb.metadata.name);
        }
      }
    }
  }
  const o: DeleteOptions =
    pinToPod && !callerPinned
      ? { ...opts, preconditions: { ...opts.preconditions, resourceVersion: pod.metadata.resourceVersion } }
      : opts;
  try {
    await deleteOne(podCtx, pod, o);
  } catch (err) {
    // The pod changed (became ready, perhaps) since the budget was judged: the client should retry.
    if (E.isStatusError(err, 'Conflict') && pinToPod && !callerPinned)
      throw stillProcessing(pdb!.metadata.name);
    throw err;
  }
  respond(ctx, 201, successStatus(201));
}
