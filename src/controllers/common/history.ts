/**
 * ControllerRevision history as the StatefulSet and DaemonSet controllers keep it: each revision
 * stores a strategic merge patch that puts the owner's pod template back (`$patch: replace`), named
 * `<owner>-<hash>` and labelled `controller-revision-hash`, with a `revision` number that grows with
 * every template change. `kubectl rollout history/undo` read these revisions and apply their data.
 */
import { isStatusError } from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { Informer } from '../../client/informer.js';
import type { ControllerRevision, PodTemplateSpec } from '../../client/objects.js';
import { CONTROLLER_REVISIONS } from '../../client/resources.js';
import type { RestClient } from '../../client/rest.js';
import { isControlledBy, newControllerRef } from './controller-ref.js';
import { canonicalJson } from './hash.js';
import { ownedBy } from './indexes.js';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

/** Object names are at most 253 characters; the hash keeps its place, the owner's name is cut. */
const MAX_REVISION_PREFIX = 223;

export type RevisionData = Record<string, unknown>;

/** A copy of `v` with object keys in sorted order, as Go's encoding/json writes maps. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * The data of a revision of `template`: `{"spec":{"template":{..., "$patch":"replace"}}}` with the
 * keys sorted and `metadata.creationTimestamp: null`, byte for byte what kubectl derives from the
 * live object, so `rollout undo` recognises a revision the object already matches.
 */
export function templatePatch(template: PodTemplateSpec | undefined): RevisionData {
  const t: Record<string, unknown> = { ...structuredClone(template ?? {}) };
  t['metadata'] = { ...(template?.metadata ?? {}), creationTimestamp: null };
  t['$patch'] = 'replace';
  return sortedKeys({ spec: { template: t } }) as RevisionData;
}

type RevisionContent = { spec?: { template?: Record<string, unknown> } } | undefined;

/** The pod template a revision restores. */
export function templateOfRevision(rev: ControllerRevision): PodTemplateSpec {
  const data: unknown = rev.data;
  const t = structuredClone((data as RevisionContent)?.spec?.template ?? {});
  delete t['$patch'];
  const meta = t['metadata'] as Record<string, unknown> | undefined;
  if (meta && meta['creationTimestamp'] === null) delete meta['creationTimestamp'];
  const template: PodTemplateSpec = t;
  return template;
}

export function revisionName(owner: string, hash: string): string {
  return `${owner.slice(0, MAX_REVISION_PREFIX)}-${hash}`;
}

/** Whether two revisions' data are the same (key order aside). */
export function sameData(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Oldest first: by revision number, then creation time, then name. */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) =>
      a.revision - b.revision ||
      a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** One more than the highest revision number (1 for none). */
export function nextRevisionNumber(revs: ControllerRevision[]): number {
  return revs.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
}

/** The revisions among `revs` whose data equals `data`, oldest first. */
export function equalRevisions(revs: ControllerRevision[], data: RevisionData): ControllerRevision[] {
  return sortRevisions(revs.filter((r) => sameData(r.data, data)));
}

/**
 * Which of the `old` revisions (every revision but the ones in use as current/update) to delete so
 * that at most `limit` remain, oldest first, never one a pod still runs (`isLive`). StatefulSets
 * count only the revisions no pod runs against the limit; DaemonSets count them all
 * (`countLive`), as upstream does.
 */
export function revisionsToTruncate(
  old: ControllerRevision[],
  isLive: (rev: ControllerRevision) => boolean,
  limit: number,
  opts: { countLive?: boolean } = {},
): ControllerRevision[] {
  const sorted = sortRevisions(old);
  const deletable = sorted.filter((r) => !isLive(r));
  const excess = (opts.countLive ? sorted.length : deletable.length) - Math.max(0, limit);
  return excess > 0 ? deletable.slice(0, excess) : [];
}

export interface NewRevision {
  data: RevisionData;
  revision: number;
  /** Labels copied onto the revision (the template's), so the owner's selector finds it. */
  labels: Record<string, string>;
  /** The hash for a collision count: of the data (StatefulSet) or of the template (DaemonSet). */
  hash: (collisionCount: number) => string;
}

/** Reading and writing one owner kind's ControllerRevisions through a shared informer. */
export class RevisionHistory {
  constructor(
    private readonly client: RestClient,
    private readonly revisions: Informer<ControllerRevision>,
  ) {}

  /** The revisions `owner` controls, oldest first. */
  owned(owner: StoredObject): ControllerRevision[] {
    return sortRevisions(
      ownedBy(this.revisions, owner.metadata.uid).filter(
        (r) => r.metadata.namespace === owner.metadata.namespace,
      ),
    );
  }

  /**
   * Creates the revision, named by its hash. A different revision already holding the name is a
   * hash collision: the collision count grows and the hash is taken again. An equal one (our own
   * earlier create the cache has not seen yet) is returned as it is.
   */
  async create(
    owner: StoredObject,
    r: NewRevision,
    collisionCount: number,
  ): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const ns = owner.metadata.namespace;
    for (let cc = collisionCount; ; cc++) {
      const hash = r.hash(cc);
      const obj = {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: {
          name: revisionName(owner.metadata.name, hash),
          namespace: ns,
          labels: { ...r.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
          annotations: { ...(owner.metadata.annotations ?? {}) },
          ownerReferences: [newControllerRef(owner)],
        },
        data: r.data,
        revision: r.revision,
      };
      try {
        const created = await this.client.create<ControllerRevision>(CONTROLLER_REVISIONS, ns, obj);
        return { revision: created, collisionCount: cc };
      } catch (err) {
        if (!isStatusError(err, 'AlreadyExists')) throw err;
        const existing = await this.client.get<ControllerRevision>(
          CONTROLLER_REVISIONS,
          ns,
          obj.metadata.name,
        );
        if (isControlledBy(existing, owner) && sameData(existing.data, r.data))
          return { revision: existing, collisionCount: cc };
      }
    }
  }

  /** Gives an existing revision a new number (a rollback to it makes it the newest again). */
  async renumber(rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
    if (rev.revision === revision) return rev;
    return this.client.update<ControllerRevision>(CONTROLLER_REVISIONS, { ...rev, revision });
  }

  async delete(rev: ControllerRevision): Promise<void> {
    try {
      await this.client.delete(CONTROLLER_REVISIONS, rev.metadata.namespace, rev.metadata.name, {
        preconditions: { uid: rev.metadata.uid },
      });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }
}
