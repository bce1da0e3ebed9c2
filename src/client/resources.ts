/** ResourceTypes of the built-in resources, taken from the shared resource definitions. */
import { builtinRegistry } from '../api/registry.js';
import type { ResourceType } from './rest.js';

const registry = builtinRegistry();

export function builtinType(group: string, version: string, resource: string): ResourceType {
  const def = registry.lookup(group, version, resource);
  if (!def) throw new Error(`no built-in resource ${group}/${version}/${resource}`);
  return {
    group: def.group,
    version: def.version,
    resource: def.resource,
    kind: def.kind,
    namespaced: def.namespaced,
  };
}

export const NAMESPACES = builtinType('', 'v1', 'namespaces');
export const SERVICE_ACCOUNTS = builtinType('', 'v1', 'serviceaccounts');
export const PODS = builtinType('', 'v1', 'pods');
export const NODES = builtinType('', 'v1', 'nodes');
