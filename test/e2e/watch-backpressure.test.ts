/**
 * A watch that has more to send than its client reads must not take its HTTP/2 connection down with it:
 * the server holds the events back until the client reads instead of queueing them all in the session,
 * so other requests on the same connection keep working, and the reader still gets every event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../src/client/config.js';
import { CONFIG_MAPS } from '../../src/client/resources.js';
import { RestClient } from '../../src/client/rest.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';

/**
 * Enough ConfigMap events to pass the server's 64 MB HTTP/2 session memory (Node counts what it queues
 * in chunks under 64 KiB; larger writes are not counted the same way, hence many 20 KB events).
 */
const COUNT = 6000;
const DATA_BYTES = 20_000;
const IN_FLIGHT = 16;

describe('watch backpressure', () => {
  let server: RunningServer;
  let client: RestClient;

  before(async () => {
    server = await startServer(['--disable-controller-manager', '--disable-scheduler']);
    client = new RestClient(loadKubeconfig(server.kubeconfig, 'watch-backpressure-test'));
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('replays a long history without flooding the connection, which keeps serving other requests', async () => {
    const rv = (await client.list(CONFIG_MAPS, { namespace: 'default' })).metadata.resourceVersion;
    const payload = 'x'.repeat(DATA_BYTES);
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let i = next++; i < COUNT; i = next++)
          await client.create(CONFIG_MAPS, 'default', {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: `big-${i}` },
            data: { payload },
          });
      }),
    );
    // A watch from before the creates gets all of them at once from the store's history. Written out
    // in one go they would sit in the HTTP/2 session, and past its memory limit the server refuses every
    // new stream on the connection with ENHANCE_YOUR_CALM; held back, they wait for the reader.
    const watch = await client.transport.stream({
      method: 'GET',
      path: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`,
    });
    assert.equal(watch.status, 200);
    await new Promise((r) => setTimeout(r, 500));
    const got = await client.get(CONFIG_MAPS, 'default', `big-${COUNT - 1}`);
    assert.equal(got.metadata.name, `big-${COUNT - 1}`);

    const names: string[] = [];
    let pending = '';
    for await (const chunk of watch.chunks) {
      pending += chunk.toString();
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
        assert.equal(e.type, 'ADDED');
        names.push(e.object.metadata.name);
      }
      if (names.length === COUNT) break;
    }
    watch.close();
    assert.equal(new Set(names).size, COUNT);
  });
});
