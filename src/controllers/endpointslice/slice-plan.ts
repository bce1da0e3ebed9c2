/**
 * Which EndpointSlices to create, update and delete so that a Service's slices of one address type
 * hold exactly the wanted endpoints: endpoints with the same ports share slices of at most
 * `maxEndpointsPerSlice`; an endpoint stays in the slice it is in when it can (less churn for
 * watchers), new ones fill the room left before new slices are made; a service without endpoints
 * keeps one empty placeholder slice, as kube-controller-manager's reconciler does.
 */
import { isDeepStrictEqual } from 'node:util';
import type { EndpointSlice } from '../../client/objects.js';
import { withTriggerTimeAnnotation } from '../common/trigger-time-tracker.js';

export type SliceEndpoint = NonNullable<EndpointSlice['endpoints']>[number];
export type SlicePort = NonNullable<EndpointSlice['ports']>[number];

export const MAX_ENDPOINTS_PER_SLICE = 100;

/** Endpoints that share one port list. */
export interface EndpointGroup {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export interface SliceMeta {
  /** The labels every slice of the service carries. */
  labels: Record<string, string>;
  triggerTime: string | undefined;
  /** A new, unsent slice with the service's metadata (generateName, owner, labels) and these ports. */
  newSlice(ports: SlicePort[]): EndpointSlice;
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export function portsKey(ports: SlicePort[] | undefined | null): string {
  const sorted = [...(ports ?? [])].sort(
    (a, b) => (a.name ?? '').localeCompare(b.name ?? '') || (a.port ?? 0) - (b.port ?? 0),
  );
  return JSON.stringify(
    sorted.map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? '', p.appProtocol ?? '']),
  );
}

const endpointId = (e: SliceEndpoint) => e.targetRef?.uid ?? e.addresses.join(',');

function withTriggerTime(slice: EndpointSlice, triggerTime: string | undefined): EndpointSlice {
  const annotations = withTriggerTimeAnnotation(slice.metadata.annotations, triggerTime);
  const metadata = { ...slice.metadata, annotations };
  if (!annotations) delete metadata.annotations;
  return { ...slice, metadata };
}

/**
 * The plan for `existing` (the service's slices of this address type) given the wanted endpoint
 * `groups` keyed by `portsKey`.
 */
export function planSlices(
  existing: EndpointSlice[],
  groups: Map<string, EndpointGroup>,
  meta: SliceMeta,
  maxPerSlice = MAX_ENDPOINTS_PER_SLICE,
): SlicePlan {
  const toCreate: EndpointSlice[] = [];
  const toDelete: EndpointSlice[] = [];
  const changed = new Set<EndpointSlice>();
  const working = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    const k = portsKey(slice.ports);
    if (!groups.has(k)) {
      toDelete.push(slice);
      continue;
    }
    const copy: EndpointSlice = { ...slice, endpoints: [...(slice.endpoints ?? [])] };
    working.set(k, [...(working.get(k) ?? []), copy]);
  }

  for (const [k, group] of groups) {
    const wanted = new Map(group.endpoints.map((e) => [endpointId(e), e]));
    const slices = working.get(k) ?? [];
    const placed = new Set<string>();
    for (const slice of slices) {
      const kept: SliceEndpoint[] = [];
      for (const ep of slice.endpoints ?? []) {
        const id = endpointId(ep);
        const want = wanted.get(id);
        if (want && !placed.has(id) && kept.length < maxPerSlice) {
          kept.push(want);
          placed.add(id);
        }
      }
      if (!isDeepStrictEqual(kept, slice.endpoints)) changed.add(slice);
      slice.endpoints = kept;
    }
    const remaining = group.endpoints.filter((e) => !placed.has(endpointId(e)));
    // Slices being written anyway take new endpoints first.
    const byPreference = [...slices.filter((s) => changed.has(s)), ...slices.filter((s) => !changed.has(s))];
    for (const slice of byPreference) {
      while (remaining.length && slice.endpoints.length < maxPerSlice) {
        slice.endpoints.push(remaining.shift()!);
        changed.add(slice);
      }
    }
    while (remaining.length) {
      const slice = meta.newSlice(group.ports);
      slice.endpoints = remaining.splice(0, maxPerSlice);
      toCreate.push(slice);
    }
    for (const slice of slices)
      if (!slice.endpoints.length) {
        changed.delete(slice);
        toDelete.push(slice);
      }
  }

  const survivors = [...working.values()].flat().filter((s) => s.endpoints.length > 0);
  if (!survivors.length && !toCreate.length) {
    // No endpoints at all: keep (or make) one empty placeholder slice.
    const reuse = toDelete.shift();
    if (!reuse) toCreate.push({ ...meta.newSlice([]), endpoints: [] });
    else {
      const placeholder: EndpointSlice = { ...reuse, endpoints: [], ports: [] };
      survivors.push(placeholder);
      if (!isDeepStrictEqual(reuse.endpoints ?? [], []) || !isDeepStrictEqual(reuse.ports ?? [], []))
        changed.add(placeholder);
    }
  }
  for (const slice of survivors)
    if (!isDeepStrictEqual(slice.metadata.labels ?? {}, meta.labels)) changed.add(slice);

  return {
    create: toCreate.map((s) => withTriggerTime(s, meta.triggerTime)),
    update: [...changed].map((s) =>
      withTriggerTime({ ...s, metadata: { ...s.metadata, labels: meta.labels } }, meta.triggerTime),
    ),
    delete: toDelete,
  };
}
