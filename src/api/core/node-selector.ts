/**
 * Node selection terms as Kubernetes evaluates them (component-helpers' nodeaffinity): the terms of a
 * NodeSelector are ORed, a term's matchExpressions (In, NotIn, Exists, DoesNotExist, Gt, Lt on node
 * labels) and matchFields (metadata.name) are ANDed, and a term with neither matches no node.
 */
import type { Labels } from '../../apimachinery/labels/index.js';
import { requirementMatches } from '../../apimachinery/labels/requirement.js';
import type { Operator, Requirement } from '../../apimachinery/labels/requirement.js';
import type { NodeSelectorTerm, Pod } from '../../client/objects.js';

const OPERATORS: Record<string, Operator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** What a term tests a node against. */
export interface NodeTarget {
  name: string;
  labels: Labels;
}

interface CompiledTerm {
  labels: Requirement[];
  fields: Requirement[];
  /** An unknown operator or field: the term matches nothing. */
  broken: boolean;
}

function compileTerm(t: NodeSelectorTerm): CompiledTerm {
  const out: CompiledTerm = { labels: [], fields: [], broken: false };
  for (const e of t.matchExpressions ?? []) {
    const op = OPERATORS[e.operator];
    if (op === undefined) out.broken = true;
    else out.labels.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  for (const f of t.matchFields ?? []) {
    const op = OPERATORS[f.operator];
    if (f.key !== 'metadata.name' || (op !== 'in' && op !== 'notin') || (f.values ?? []).length !== 1)
      out.broken = true;
    else out.fields.push({ key: f.key, operator: op, values: f.values ?? [] });
  }
  if (out.labels.length === 0 && out.fields.length === 0) out.broken = true;
  return out;
}

function termMatches(t: CompiledTerm, node: NodeTarget): boolean {
  if (t.broken) return false;
  for (const r of t.labels) if (!requirementMatches(r, node.labels)) return false;
  if (t.fields.length) {
    const fields = { 'metadata.name': node.name };
    for (const r of t.fields) if (!requirementMatches(r, fields)) return false;
  }
  return true;
}

/** A NodeSelector's terms, compiled once: `matches` is true when any term matches. */
export class NodeSelectorTerms {
  private readonly terms: CompiledTerm[];

  constructor(terms: readonly NodeSelectorTerm[]) {
    this.terms = terms.map(compileTerm);
  }

  matches(node: NodeTarget): boolean {
    return this.terms.some((t) => termMatches(t, node));
  }
}

/** One preferred term and its weight. */
export class WeightedNodeTerm {
  private readonly term: CompiledTerm;

  constructor(
    readonly weight: number,
    term: NodeSelectorTerm,
  ) {
    this.term = compileTerm(term);
  }

  matches(node: NodeTarget): boolean {
    return termMatches(this.term, node);
  }
}

/**
 * A pod's hard node constraints: spec.nodeSelector (every label equal) and the required node
 * affinity (if present, one of its terms must match). kube's RequiredNodeAffinity.
 */
export class RequiredNodeAffinity {
  private readonly selector: [string, string][];
  private readonly terms: NodeSelectorTerms | undefined;

  constructor(pod: Pick<Pod, 'spec'>) {
    this.selector = Object.entries(pod.spec?.nodeSelector ?? {});
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.terms = required ? new NodeSelectorTerms(required.nodeSelectorTerms ?? []) : undefined;
  }

  /** True when the pod constrains nothing. */
  get empty(): boolean {
    return this.selector.length === 0 && !this.terms;
  }

  matches(node: NodeTarget): boolean {
    for (const [k, v] of this.selector) if (node.labels[k] !== v) return false;
    return !this.terms || this.terms.matches(node);
  }
}

/** Whether `node` matches a NodeSelector (a PV's node affinity, say). */
export function nodeMatchesSelector(
  node: { metadata: { name: string; labels?: Record<string, string> } },
  selector: { nodeSelectorTerms?: readonly NodeSelectorTerm[] },
): boolean {
  return new NodeSelectorTerms(selector.nodeSelectorTerms ?? []).matches({
    name: node.metadata.name,
    labels: node.metadata.labels ?? {},
  });
}
