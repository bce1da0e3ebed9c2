import { Compactor } from '../storage/compactor.js';
import { openStore } from '../storage/open-store.js';
import { logger } from '../util/log.js';
import type { Command } from './command.js';
import { storageConfig, storageOptionHelp, storageOptions } from './storage-flags.js';

const log = logger('server');

/**
 * `k8ts server`: the control plane. Today it is its storage layer (the store and its compactor); the
 * API server, scheduler and controllers join this same command as they are built.
 */
export const serverCommand: Command = {
  name: 'server',
  summary: 'Run the k8ts control plane on this machine.',
  usage: 'k8ts server [--data-dir DIR] [--storage sqlite|etcd|memory] [--etcd-endpoints URL,...]',
  options: { ...storageOptions, 'compaction-interval': { type: 'string' } },
  optionHelp: {
    ...storageOptionHelp,
    'compaction-interval': 'seconds between history compactions (default 300)',
  },
  async run(values) {
    const cfg = storageConfig(values);
    const store = await openStore(cfg);
    const seconds = Number((values['compaction-interval'] as string | undefined) ?? 300);
    const compactor = new Compactor(store, { intervalMs: seconds * 1000, log: logger('compactor') }).start();
    log.info('storage ready', {
      backend: store.backend,
      dataDir: cfg.dataDir,
      revision: await store.currentRevision(),
      note: 'the API server is not part of this build yet',
    });
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    log.info('shutting down');
    compactor.stop();
    await store.close();
    return 0;
  },
};
