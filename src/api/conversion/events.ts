/**
 * events.k8s.io/v1 Event ⇄ core/v1 Event, the field mapping of Kubernetes' events/v1 conversion:
 * regarding ⇄ involvedObject, note ⇄ message, deprecatedSource ⇄ source, deprecatedFirstTimestamp /
 * deprecatedLastTimestamp ⇄ firstTimestamp / lastTimestamp, deprecatedCount ⇄ count, and
 * reportingController ⇄ reportingComponent; eventTime, series, reportingInstance, action, reason, type
 * and related keep their names.
 */
import type { KubeObject } from '../../apimachinery/meta.js';
import { at, str } from '../printing.js';
import type { Converter } from './served-from.js';

/** [events.k8s.io/v1 name, core/v1 name] */
const RENAMED: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];
const SAME = ['eventTime', 'series', 'reportingInstance', 'action', 'reason', 'type', 'related'];

function move(obj: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = { apiVersion, kind: 'Event', metadata: obj.metadata };
  for (const [from, to] of pairs) if (obj[from] !== undefined) out[to] = obj[from];
  for (const k of SAME) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

export const eventsV1Conversion: Converter = {
  toStorage: (o) => move(o, RENAMED, 'v1'),
  fromStorage: (o) =>
    move(
      o,
      RENAMED.map(([a, b]) => [b, a]),
      'events.k8s.io/v1',
    ),
};

/** The field selectors of events.k8s.io/v1 Events: the core ones under their events.k8s.io names. */
export const EVENTS_V1_SELECTABLE_FIELDS: Record<string, (o: KubeObject) => string> = {
  reason: (o) => str(o['reason'], ''),
  type: (o) => str(o['type'], ''),
  reportingController: (o) => str(o['reportingController'], ''),
  ...Object.fromEntries(
    ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [
      `regarding.${f}`,
      (o: KubeObject) => str(at(o, `regarding.${f}`), ''),
    ]),
  ),
};
