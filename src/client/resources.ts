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
export const SERVICES = builtinType('', 'v1', 'services');
export const ENDPOINTS = builtinType('', 'v1', 'endpoints');
export const CONFIG_MAPS = builtinType('', 'v1', 'configmaps');
export const SECRETS = builtinType('', 'v1', 'secrets');
export const PERSISTENT_VOLUMES = builtinType('', 'v1', 'persistentvolumes');
export const PERSISTENT_VOLUME_CLAIMS = builtinType('', 'v1', 'persistentvolumeclaims');
export const REPLICATION_CONTROLLERS = builtinType('', 'v1', 'replicationcontrollers');
export const RESOURCE_QUOTAS = builtinType('', 'v1', 'resourcequotas');
export const LIMIT_RANGES = builtinType('', 'v1', 'limitranges');
export const DEPLOYMENTS = builtinType('apps', 'v1', 'deployments');
export const REPLICA_SETS = builtinType('apps', 'v1', 'replicasets');
export const STATEFUL_SETS = builtinType('apps', 'v1', 'statefulsets');
export const DAEMON_SETS = builtinType('apps', 'v1', 'daemonsets');
export const CONTROLLER_REVISIONS = builtinType('apps', 'v1', 'controllerrevisions');
export const JOBS = builtinType('batch', 'v1', 'jobs');
export const CRON_JOBS = builtinType('batch', 'v1', 'cronjobs');
export const ENDPOINT_SLICES = builtinType('discovery.k8s.io', 'v1', 'endpointslices');
export const POD_DISRUPTION_BUDGETS = builtinType('policy', 'v1', 'poddisruptionbudgets');
export const PRIORITY_CLASSES = builtinType('scheduling.k8s.io', 'v1', 'priorityclasses');
export const STORAGE_CLASSES = builtinType('storage.k8s.io', 'v1', 'storageclasses');
export const CERTIFICATE_SIGNING_REQUESTS = builtinType(
  'certificates.k8s.io',
  'v1',
  'certificatesigningrequests',
);
