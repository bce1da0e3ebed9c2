/**
 * core/v1 NodeSelector matching (required node affinity, PV node affinity): the terms are ORed,
 * the requirements inside a term ANDed; matchExpressions test labels, matchFields test
 * `metadata.name`. An empty term list matches nothing, as in Kubernetes.
 */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeSelector {
  nodeSelectorTerms: NodeSelectorTerm[];
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value)) return false;
      if (!/^-?\d+$/.test(values[0]!)) return false;
      const a = BigInt(value);
      const b = BigInt(values[0]!);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** Whether one term matches: all its expressions and fields; a term with neither matches nothing. */
export function termMatches(
  term: NodeSelectorTerm,
  labels: Readonly<Record<string, string>>,
  name: string,
): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, name))
  );
}

export function nodeSelectorMatches(
  selector: NodeSelector,
  labels: Readonly<Record<string, string>>,
  name: string,
): boolean {
  return selector.nodeSelectorTerms.some((t) => termMatches(t, labels, name));
}

export function nodeMatchesSelector(
  node: { metadata: { name: string; labels?: Record<string, string> } },
  selector: NodeSelector,
): boolean {
  return nodeSelectorMatches(selector, node.metadata.labels ?? {}, node.metadata.name);
}
