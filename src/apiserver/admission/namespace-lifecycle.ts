/**
 * NamespaceLifecycle: objects may only be created in a namespace that exists and is not terminating;
 * the system namespaces cannot be deleted.
 */
import * as E from '../../apimachinery/errors.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import type { ResourceRegistry } from '../../api/registry.js';
import type { AdmissionPlugin } from './chain.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * `lookup` finds a namespace (NotFound when missing); by default it reads storage, and the API server
 * passes its AdmissionObjectCache of namespaces.
 */
export function namespaceLifecycle(
  registry: ResourceRegistry,
  lookup?: (name: string) => Promise<StoredObject>,
): AdmissionPlugin {
  const namespaces = registry.lookup('', 'v1', 'namespaces')!;
  return {
    name: 'NamespaceLifecycle',
    async admit(req) {
      const isNamespace = req.def === namespaces;
      if (isNamespace && req.operation === 'DELETE' && SYSTEM_NAMESPACES.includes(req.object.metadata.name))
        throw E.forbidden(
          { group: '', resource: 'namespaces' },
          req.object.metadata.name,
          'this namespace may not be deleted',
        );
      if (!req.def.namespaced || req.operation !== 'CREATE') return;
      const name = req.object.metadata.namespace!;
      const ns = await (lookup ? lookup(name) : req.objects.get(namespaces, undefined, name));
      if (
        ns.metadata.deletionTimestamp ||
        (ns['status'] as { phase?: string } | undefined)?.phase === 'Terminating'
      )
        throw E.forbidden(
          { group: req.def.group, resource: req.def.resource },
          req.object.metadata.name,
          `unable to create new content in namespace ${name} because it is being terminated`,
        );
    },
  };
}
