import { openStore } from '../storage/open-store.js';
import { UsageError } from './command.js';
import type { Command } from './command.js';
import { storageConfig, storageOptionHelp, storageOptions } from './storage-flags.js';

/**
 * `k8ts store`: look inside the store the way etcdctl looks inside etcd. With sqlite it opens the
 * database itself, so the server must be stopped first (the store says so if it is not).
 */
export const storeCommand: Command = {
  name: 'store',
  summary: 'Inspect the cluster store: status, get KEY, list [PREFIX], compact [REVISION].',
  usage:
    'k8ts store status|get KEY|list [PREFIX]|compact [REVISION] [--data-dir DIR] [--storage ...] [--limit N] [--values]',
  options: { ...storageOptions, limit: { type: 'string' }, values: { type: 'boolean' } },
  optionHelp: { ...storageOptionHelp, limit: 'most keys to list', values: 'print values, not only keys' },
  async run(values, positionals) {
    const [sub, arg] = positionals;
    const store = await openStore(storageConfig(values));
    const out = (s: string) => process.stdout.write(`${s}\n`);
    try {
      switch (sub) {
        case 'status':
          out(
            JSON.stringify({
              backend: store.backend,
              revision: await store.currentRevision(),
              compactedRevision: await store.compactedRevision(),
            }),
          );
          return 0;
        case 'get': {
          if (!arg) throw new UsageError('usage: k8ts store get KEY');
          const kv = await store.get(arg);
          if (!kv) {
            process.stderr.write(`key ${JSON.stringify(arg)} not found\n`);
            return 1;
          }
          out(
            JSON.stringify({ key: kv.key, createRevision: kv.createRevision, modRevision: kv.modRevision }),
          );
          out(kv.value.toString('utf8'));
          return 0;
        }
        case 'list': {
          const limit = Number((values['limit'] as string | undefined) ?? 0);
          const res = await store.list(arg ?? '', { limit });
          for (const kv of res.items)
            out(values['values'] ? `${kv.key}\t${kv.value.toString('utf8')}` : kv.key);
          if (res.more) process.stderr.write(`(more keys; revision ${res.revision})\n`);
          return 0;
        }
        case 'compact': {
          const rev = arg ? Number(arg) : await store.currentRevision();
          await store.compact(rev);
          out(`compacted to revision ${rev}`);
          return 0;
        }
        default:
          throw new UsageError(`unknown store command ${JSON.stringify(sub ?? '')}; see 'k8ts store --help'`);
      }
    } finally {
      await store.close();
    }
  },
};
