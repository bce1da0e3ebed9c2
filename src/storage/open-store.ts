import { join } from 'node:path';
import { EtcdStore } from './etcd/etcd-store.js';
import { MemoryStore } from './memory/memory-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export type StorageBackend = 'sqlite' | 'etcd' | 'memory';

export interface StorageConfig {
  backend: StorageBackend;
  /** The server's data dir; sqlite keeps `db/state.db` in it. */
  dataDir: string;
  etcdEndpoints?: string[];
  etcdPrefix?: string;
}

/** The one place that turns configuration into a Store. */
export async function openStore(cfg: StorageConfig): Promise<Store> {
  switch (cfg.backend) {
    case 'sqlite':
      return new SqliteStore({ path: join(cfg.dataDir, 'db', 'state.db') });
    case 'etcd':
      if (!cfg.etcdEndpoints?.length) throw new Error('--storage etcd needs --etcd-endpoints');
      return EtcdStore.open({ endpoints: cfg.etcdEndpoints, prefix: cfg.etcdPrefix });
    case 'memory':
      return new MemoryStore();
  }
}
