/** The informer's recovery paths, against a scripted client (the real-server paths are in client.test.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../src/apimachinery/errors.js';
import type { StoredObject } from '../../src/apimachinery/meta.js';
import { Informer } from '../../src/client/informer.js';
import type { ObjectList, ResourceType, RestClient, WatchEvent } from '../../src/client/rest.js';

const PODS: ResourceType = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true };

const pod = (name: string, rv: number): StoredObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: name, resourceVersion: String(rv), creationTimestamp: '' },
});

/** A client whose lists return `lists` in turn and whose watches play `watches` in turn. */
function scripted(lists: StoredObject[][], watches: (WatchEvent<StoredObject>[] | StatusError)[]) {
  const watchedFrom: string[] = [];
  let l = 0;
  let w = 0;
  const client = {
    // One page per list.
    listPages: async function* (): AsyncGenerator<ObjectList<StoredObject>> {
      const items = lists[Math.min(l++, lists.length - 1)]!;
      const rv = Math.max(0, ...items.map((i) => Number(i.metadata.resourceVersion)));
      yield { items, metadata: { resourceVersion: String(rv + 100) } };
      await Promise.resolve();
    },
    watch: async function* (_t: ResourceType, opts: { resourceVersion?: string; signal?: AbortSignal }) {
      watchedFrom.push(opts.resourceVersion ?? '');
      const script = watches[w++];
      if (script instanceof StatusError) throw script;
      if (script) for (const e of script) yield e;
      else
        await new Promise<void>((resolve) =>
          opts.signal?.addEventListener('abort', () => resolve(), { once: true }),
        );
    },
  };
  return { client: client as unknown as RestClient, watchedFrom };
}

describe('Informer recovery', () => {
  it('relists after 410 Expired and reports what changed meanwhile as events', async () => {
    const { client, watchedFrom } = scripted(
      [
        [pod('a', 1), pod('b', 2)],
        [pod('b', 7), pod('c', 8)],
      ],
      [
        [{ type: 'MODIFIED', object: pod('a', 3) }],
        new StatusError(410, 'Expired', 'too old resource version: 3 (5)'),
      ],
    );
    const inf = new Informer(client, PODS);
    const seen: string[] = [];
    inf.addHandler({
      add: (o) => seen.push(`add ${o.metadata.name}`),
      update: (_o, n) => seen.push(`update ${n.metadata.name}@${n.metadata.resourceVersion}`),
      delete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    inf.start();
    await inf.synced;
    for (let i = 0; i < 100 && inf.lists < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 10));
    await inf.stop();
    assert.equal(inf.lists, 2);
    assert.deepEqual(seen, ['add a', 'add b', 'update a@3', 'update b@7', 'add c', 'delete a']);
    assert.deepEqual(
      inf.list().map((p) => p.metadata.name),
      ['b', 'c'],
    );
    // The first watch starts at the list's version, the second resumes after the event seen, the
    // third starts from the relist.
    assert.deepEqual(watchedFrom.slice(0, 3), ['102', '3', '108']);
  });

  it('keeps its index in step with updates and deletes', async () => {
    const moved = { ...pod('a', 5), spec: { nodeName: 'n2' } };
    const { client } = scripted(
      [[{ ...pod('a', 1), spec: { nodeName: 'n1' } }]],
      [
        [
          { type: 'MODIFIED', object: moved },
          { type: 'DELETED', object: moved },
        ],
      ],
    );
    const inf = new Informer(client, PODS);
    inf.addIndex('node', (p) => [String((p.spec as { nodeName?: string } | undefined)?.nodeName ?? '')]);
    const states: string[] = [];
    inf.addHandler({
      update: () =>
        states.push(`n1=${inf.byIndex('node', 'n1').length} n2=${inf.byIndex('node', 'n2').length}`),
      delete: () =>
        states.push(`n1=${inf.byIndex('node', 'n1').length} n2=${inf.byIndex('node', 'n2').length}`),
    });
    inf.start();
    for (let i = 0; i < 100 && states.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    await inf.stop();
    assert.deepEqual(states, ['n1=0 n2=1', 'n1=0 n2=0']);
  });
});
