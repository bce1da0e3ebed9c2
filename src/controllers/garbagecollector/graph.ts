/**
 * The garbage collector's dependency graph: one node per uid with the object's coordinates, its owner
 * references and the set of its dependents, nothing else of the object. Owners known only from a
 * dependent's reference are "virtual" nodes until an informer shows them (or a lookup shows they do
 * not exist). The builder turns observed changes into work: items whose owners may be gone
 * (attemptToDelete) and owners whose dependents must be orphaned (attemptToOrphan), as
 * kube-controller-manager's GraphBuilder does.
 */
import type { OwnerReference } from '../../apimachinery/meta.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** Where an object is: its kind's coordinates, name, namespace ('' when cluster-scoped) and uid. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
}

/** The metadata the graph keeps track of. */
export interface ObservedMeta {
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  finalizers?: string[];
}

export class GraphNode {
  owners: OwnerReference[] = [];
  readonly dependents = new Set<GraphNode>();
  beingDeleted = false;
  deletingDependents = false;
  orphaning = false;

  constructor(
    public identity: ObjectIdentity,
    /** false: a virtual node, known only as somebody's owner. */
    public observed: boolean,
  ) {}

  get uid(): string {
    return this.identity.uid;
  }

  /** Dependents whose reference to this node blocks its foreground deletion. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) =>
      d.owners.some((r) => r.uid === this.uid && r.blockOwnerDeletion === true),
    );
  }
}

export interface GraphEvents {
  attemptToDelete(node: GraphNode): void;
  attemptToOrphan(node: GraphNode): void;
  /** `dependent` names as owner an object seen in another namespace. */
  invalidNamespace(dependent: GraphNode, ref: OwnerReference): void;
  /** The owner `identity` is known not to exist. */
  absent(identity: ObjectIdentity): void;
  /** Whether objects of this apiVersion/kind are namespaced (undefined: unknown kind). */
  namespaced(apiVersion: string, kind: string): boolean | undefined;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

export class GraphBuilder {
  private readonly nodes = new Map<string, GraphNode>();

  constructor(private readonly on: GraphEvents) {}

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** The identity a dependent's reference gives its owner (an owner is in its dependent's namespace). */
  ownerIdentity(dependent: GraphNode, ref: OwnerReference): ObjectIdentity {
    const namespaced = this.on.namespaced(ref.apiVersion, ref.kind);
    return {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      name: ref.name,
      uid: ref.uid,
      namespace: namespaced === false ? '' : dependent.identity.namespace,
    };
  }

  /** An object was added or changed. */
  observe(identity: ObjectIdentity, meta: ObservedMeta): void {
    const refs = meta.ownerReferences ?? [];
    let node = this.nodes.get(identity.uid);
    const was = node?.observed
      ? { deletingDependents: node.deletingDependents, orphaning: node.orphaning }
      : { deletingDependents: false, orphaning: false };
    if (!node) {
      node = new GraphNode(identity, true);
      this.nodes.set(identity.uid, node);
      node.owners = refs;
      this.addToOwners(node, refs);
    } else {
      if (!node.observed) {
        const virtual = node.identity;
        node.observed = true;
        node.identity = identity;
        // Dependents that named this owner by other coordinates must check their reference again.
        if (!sameCoordinates(virtual, identity))
          for (const dep of node.dependents) this.on.attemptToDelete(dep);
      }
      this.updateOwners(node, refs);
    }
    const deleting = Boolean(meta.deletionTimestamp);
    const finalizers = meta.finalizers ?? [];
    node.beingDeleted = deleting;
    node.deletingDependents = deleting && finalizers.includes(FOREGROUND_FINALIZER);
    node.orphaning = deleting && finalizers.includes(ORPHAN_FINALIZER);
    if (node.orphaning && !was.orphaning) {
      this.on.attemptToOrphan(node);
      return;
    }
    if (node.deletingDependents && !was.deletingDependents) {
      for (const dep of node.dependents) this.on.attemptToDelete(dep);
      this.on.attemptToDelete(node);
    }
  }

  /** An object was deleted (observed by an informer). */
  remove(uid: string): void {
    const node = this.nodes.get(uid);
    if (node) this.removeNode(node);
  }

  /**
   * A lookup found nothing at `identity` for this node's uid. A virtual node some dependents know by
   * other coordinates stays (under those coordinates, to be looked up again); dependents naming the
   * missing coordinates are re-examined.
   */
  verifiedAbsent(node: GraphNode, identity: ObjectIdentity): void {
    if (this.nodes.get(node.uid) !== node) return;
    const matching: GraphNode[] = [];
    const other: { dep: GraphNode; ref: OwnerReference }[] = [];
    for (const dep of node.dependents) {
      const ref = dep.owners.find((r) => r.uid === node.uid);
      if (!ref) continue;
      if (sameCoordinates(this.ownerIdentity(dep, ref), identity)) matching.push(dep);
      else other.push({ dep, ref });
    }
    const removeAll = node.observed ? sameCoordinates(node.identity, identity) : other.length === 0;
    if (removeAll) {
      this.removeNode(node);
      return;
    }
    if (matching.length) {
      this.on.absent(identity);
      for (const dep of matching) this.on.attemptToDelete(dep);
    }
    if (!node.observed && sameCoordinates(node.identity, identity)) {
      node.identity = this.ownerIdentity(other[0]!.dep, other[0]!.ref);
      this.on.attemptToDelete(node);
    }
  }

  private removeNode(node: GraphNode): void {
    for (const ref of node.owners) this.nodes.get(ref.uid)?.dependents.delete(node);
    this.nodes.delete(node.uid);
    if (node.dependents.size) this.on.absent(node.identity);
    for (const dep of node.dependents) this.on.attemptToDelete(dep);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      // An owner waiting for its dependents may now be free to go.
      if (owner?.deletingDependents) this.on.attemptToDelete(owner);
    }
  }

  private updateOwners(node: GraphNode, refs: OwnerReference[]): void {
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(refs.map((r) => [r.uid, r]));
    node.owners = refs;
    const added = refs.filter((r) => !before.has(r.uid));
    for (const [uid, old] of before) {
      const owner = this.nodes.get(uid);
      const now = after.get(uid);
      if (!now) owner?.dependents.delete(node);
      // A blocking reference removed or made non-blocking may free an owner waiting in foreground.
      const unblocked = old.blockOwnerDeletion === true && now?.blockOwnerDeletion !== true;
      if (owner?.deletingDependents && unblocked) this.on.attemptToDelete(owner);
      if (now && !sameRef(old, now)) added.push(now);
    }
    this.addToOwners(node, added);
  }

  private addToOwners(node: GraphNode, refs: OwnerReference[]): void {
    let suspicious = false;
    for (const ref of refs) {
      let owner = this.nodes.get(ref.uid);
      if (!owner) {
        owner = new GraphNode(this.ownerIdentity(node, ref), false);
        this.nodes.set(ref.uid, owner);
        owner.dependents.add(node);
        // Is it there at all? A lookup tells, and dependents of a missing owner are collected.
        this.on.attemptToDelete(owner);
        continue;
      }
      owner.dependents.add(node);
      const ownerNs = owner.identity.namespace;
      if (ownerNs && ownerNs !== node.identity.namespace) {
        // Owners are in their dependents' namespace: this reference cannot be to the object seen.
        if (owner.observed) this.on.invalidNamespace(node, ref);
        suspicious = true;
      } else if (!refMatches(ref, owner.identity)) suspicious = true;
    }
    if (suspicious) this.on.attemptToDelete(node);
  }
}

function sameCoordinates(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return (
    a.uid === b.uid &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.namespace === b.namespace &&
    groupOf(a.apiVersion) === groupOf(b.apiVersion)
  );
}

function refMatches(ref: OwnerReference, id: ObjectIdentity): boolean {
  return ref.kind === id.kind && ref.name === id.name && groupOf(ref.apiVersion) === groupOf(id.apiVersion);
}

function sameRef(a: OwnerReference, b: OwnerReference): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}
