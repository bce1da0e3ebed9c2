/** /metrics and the health endpoints of a real `k8ts server`, read with the real kubectl. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startEtcd } from '../support/etcd-harness.js';
import type { EtcdInstance } from '../support/etcd-harness.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { findKubectls, kubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';

const k = findKubectls([32])[0]!;

/** The value of one sample line, e.g. `apiserver_request_total{...}`, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const m = /^[^{]+\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const have = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (Object.entries(labels).every(([key, v]) => have[key] === v)) return Number(m[2]);
  }
  return undefined;
}

describe('metrics and health', () => {
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');
  const run = (...args: string[]) => kubectl(k, server.kubeconfig, cache.dir, args);
  const raw = async (path: string) => {
    const r = await run('get', '--raw', path);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
    cache.remove();
  });

  it('counts requests by verb, resource and code, and times storage calls', async () => {
    const before = await raw('/metrics');
    const labels = { verb: 'POST', resource: 'configmaps', scope: 'namespace', code: '201' };
    const created0 = sample(before, 'apiserver_request_total', labels) ?? 0;
    for (const name of ['m1', 'm2', 'm3'])
      assert.equal((await run('create', 'configmap', name, '--from-literal=a=b')).code, 0);
    const missing = await run('get', 'configmap', 'nope');
    assert.notEqual(missing.code, 0);

    const text = await raw('/metrics');
    assert.equal(sample(text, 'apiserver_request_total', labels), created0 + 3);
    assert.ok(
      (sample(text, 'apiserver_request_total', { verb: 'GET', resource: 'configmaps', code: '404' }) ?? 0) >=
        1,
    );
    assert.ok(
      (sample(text, 'apiserver_request_duration_seconds_count', {
        verb: 'POST',
        resource: 'configmaps',
      }) ?? 0) >= 3,
    );
    assert.ok(
      (sample(text, 'etcd_request_duration_seconds_count', {
        operation: 'create',
        type: '/registry/configmaps',
      }) ?? 0) >= 3,
    );
    assert.match(text, /^apiserver_current_inflight_requests\{request_kind="readOnly"\} \d+$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  it('shows open watches as long-running requests', async () => {
    const watch = spawn(
      k.path,
      ['--kubeconfig', server.kubeconfig, '--cache-dir', cache.dir, 'get', 'configmaps', '-w'],
      { stdio: 'ignore', env: { ...process.env, HOME: cache.dir } },
    );
    try {
      let open: number | undefined;
      for (let i = 0; i < 50 && !open; i++) {
        await new Promise((r) => setTimeout(r, 100));
        open = sample(await raw('/metrics'), 'apiserver_longrunning_requests', {
          verb: 'WATCH',
          resource: 'configmaps',
        });
      }
      assert.equal(open, 1);
    } finally {
      watch.kill();
    }
  });

  it('answers readyz, livez and healthz with their checks', async () => {
    assert.equal(await raw('/readyz'), 'ok');
    const verbose = await raw('/readyz?verbose');
    assert.match(verbose, /^\[\+\]ping ok$/m);
    assert.match(verbose, /^\[\+\]etcd ok$/m);
    assert.match(verbose, /^\[\+\]bootstrap-namespaces ok$/m);
    assert.match(verbose, /readyz check passed\n$/);
    assert.doesNotMatch(await raw('/livez?verbose'), /bootstrap-namespaces/);
    assert.match(await raw('/healthz?verbose&exclude=etcd'), /^\[\+\]etcd excluded: ok$/m);
  });
});

describe('readyz with storage down', () => {
  let etcd: EtcdInstance;
  let server: RunningServer;
  const cache = tempDir('k8ts-kubectl-');

  before(async () => {
    etcd = await startEtcd();
    server = await startServer(['--storage', 'etcd', '--etcd-endpoints', etcd.endpoints.join(',')]);
  });
  after(async () => {
    await server?.stop();
    await etcd?.stop();
    cache.remove();
  });

  it('fails the etcd check while etcd is stopped and passes again once it is back', async () => {
    const run = (path: string) => kubectl(k, server.kubeconfig, cache.dir, ['get', '--raw', path]);
    assert.equal((await run('/readyz')).stdout, 'ok');
    await etcd.member.kill('SIGKILL');
    const down = await run('/readyz?verbose');
    assert.notEqual(down.code, 0);
    assert.match(down.stderr, /\[-\]etcd failed: reason withheld/);
    assert.match(down.stderr, /readyz check failed/);
    await etcd.member.restart();
    let back = await run('/readyz');
    for (let i = 0; i < 50 && back.stdout !== 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await run('/readyz');
    }
    assert.equal(back.stdout, 'ok');
  });
});
