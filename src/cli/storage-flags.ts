import { UsageError } from './command.js';
import { defaultDataDir } from './defaults.js';
import type { StorageBackend, StorageConfig } from '../storage/open-store.js';

/** The storage flags shared by every command that opens the store. */
export const storageOptions = {
  'data-dir': { type: 'string' },
  storage: { type: 'string' },
  'etcd-endpoints': { type: 'string' },
  'etcd-prefix': { type: 'string' },
} as const;

export const storageOptionHelp = {
  'data-dir': `state folder (default ${defaultDataDir()})`,
  storage: 'sqlite (default), etcd or memory',
  'etcd-endpoints': 'comma-separated etcd client URLs, for --storage etcd',
  'etcd-prefix': 'key prefix in etcd (default /registry/)',
};

export function storageConfig(values: Record<string, unknown>): StorageConfig {
  const backend = (values['storage'] as string | undefined) ?? 'sqlite';
  if (!['sqlite', 'etcd', 'memory'].includes(backend))
    throw new UsageError(`--storage must be sqlite, etcd or memory, not ${JSON.stringify(backend)}`);
  const endpoints = values['etcd-endpoints'] as string | undefined;
  return {
    backend: backend as StorageBackend,
    dataDir: (values['data-dir'] as string | undefined) ?? defaultDataDir(),
    etcdEndpoints: endpoints?.split(',').filter(Boolean),
    etcdPrefix: values['etcd-prefix'] as string | undefined,
  };
}
