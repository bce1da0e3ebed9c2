/**
 * Limits and robustness of a real `k8ts server`: oversized and malformed bodies get Kubernetes' Status,
 * a second server on the same data dir is refused without harming the first, SIGTERM ends cleanly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { tempDir } from '../support/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/k8ts', import.meta.url));
let server: RunningServer;
let kc: k8s.KubeConfig;

before(async () => {
  server = await startServer();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
});
after(async () => {
  await server?.stop();
});

interface Reply {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request with the admin client certificate; `body` may be a generator of chunks. */
async function request(
  method: string,
  path: string,
  body?: string | Buffer | Iterable<Buffer>,
  headers: Record<string, string> = {},
  kubeconfig = kc,
): Promise<Reply> {
  const opts: https.RequestOptions = { method, headers };
  await kubeconfig.applyToHTTPSOptions(opts);
  const url = new URL(`${kubeconfig.getCurrentCluster()!.server}${path}`);
  return new Promise((resolve, reject) => {
    const req = https.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ code: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      // Stream without Content-Length; the server may answer and close before all of it is sent.
      req.on('error', () => undefined);
      for (const chunk of body) req.write(chunk);
      req.end();
    }
  });
}

function status(r: Reply): {
  kind?: string;
  status?: string;
  reason?: string;
  message?: string;
  code?: number;
} {
  return JSON.parse(r.body) as ReturnType<typeof status>;
}

test('a request body over 3 MiB gets 413 RequestEntityTooLarge', async () => {
  const big = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'big' },
    data: { blob: 'x'.repeat(3 * 1024 * 1024) },
  });
  const declared = await request('POST', '/api/v1/namespaces/default/configmaps', big, {
    'content-type': 'application/json',
  });
  assert.equal(declared.code, 413);
  assert.deepEqual(status(declared), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Request entity too large: limit is 3145728',
    reason: 'RequestEntityTooLarge',
    code: 413,
  });
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, 0x20);
  }
  const streamed = await request('POST', '/api/v1/namespaces/default/configmaps', chunks(), {
    'content-type': 'application/json',
    'transfer-encoding': 'chunked',
  });
  assert.equal(streamed.code, 413);
  assert.equal(status(streamed).reason, 'RequestEntityTooLarge');
  // Nothing was stored, and the server still answers.
  const get = await request('GET', '/api/v1/namespaces/default/configmaps/big');
  assert.equal(get.code, 404);
});

test('malformed JSON and YAML bodies get 400 BadRequest', async () => {
  const json = await request(
    'POST',
    '/api/v1/namespaces/default/configmaps',
    '{"apiVersion": "v1", "kind": ',
    {
      'content-type': 'application/json',
    },
  );
  assert.equal(json.code, 400);
  const js = status(json);
  assert.equal(js.reason, 'BadRequest');
  assert.equal(js.status, 'Failure');
  assert.match(js.message ?? '', /^couldn't get version\/kind; json parse error: /);
  const yaml = await request('POST', '/api/v1/namespaces/default/configmaps', 'metadata: {name: [\n', {
    'content-type': 'application/yaml',
  });
  assert.equal(yaml.code, 400);
  assert.match(status(yaml).message ?? '', /^error converting YAML to JSON: /);
  const patch = await request('PATCH', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt', 'not json', {
    'content-type': 'application/merge-patch+json',
  });
  assert.ok([400, 404].includes(patch.code), `patch answered ${patch.code}`);
  assert.ok(['BadRequest', 'NotFound'].includes(status(patch).reason ?? ''));
  const arrayBody = await request('POST', '/api/v1/namespaces/default/configmaps', '[1,2]', {
    'content-type': 'application/json',
  });
  assert.equal(arrayBody.code, 400);
});

test('a second server on the same data dir fails clearly and leaves the first one serving', async () => {
  const created = await request(
    'POST',
    '/api/v1/namespaces/default/configmaps',
    JSON.stringify({ metadata: { name: 'survivor' }, data: { a: '1' } }),
    { 'content-type': 'application/json' },
  );
  assert.equal(created.code, 201);
  const second = spawn(
    process.execPath,
    [bin, 'server', '--data-dir', server.dataDir, '--port', '0', '--bind-address', '127.0.0.1'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  second.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
  assert.equal(code, 1);
  assert.match(stderr, /the database .*state\.db is in use by another process \(process \d+\)/);
  assert.doesNotMatch(stderr, /"msg":"ready"/);
  const get = await request('GET', '/api/v1/namespaces/default/configmaps/survivor');
  assert.equal(get.code, 200);
  assert.deepEqual((JSON.parse(get.body) as { data: unknown }).data, { a: '1' });
  const write = await request(
    'POST',
    '/api/v1/namespaces/default/configmaps',
    JSON.stringify({ metadata: { name: 'after-second' } }),
    { 'content-type': 'application/json' },
  );
  assert.equal(write.code, 201);
});

test('SIGTERM ends open watches and exits 0; the store reopens intact', async () => {
  const tmp = tempDir('k8ts-sigterm-');
  const start = () => {
    const child = spawn(
      process.execPath,
      [bin, 'server', '--data-dir', tmp.dir, '--port', '0', '--bind-address', '127.0.0.1'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const lines: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: child.stderr });
      rl.on('line', (line) => {
        lines.push(line);
        if (line.includes('"msg":"ready"')) resolve();
      });
      rl.on('close', () => reject(new Error(`no ready line:\n${lines.join('\n')}`)));
    });
    return { child, exited, lines, ready };
  };
  try {
    const first = start();
    await first.ready;
    const local = new k8s.KubeConfig();
    local.loadFromFile(`${tmp.dir}/admin.kubeconfig`);
    const made = await request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ metadata: { name: 'kept' } }),
      { 'content-type': 'application/json' },
      local,
    );
    assert.equal(made.code, 201);
    const watch = request('GET', '/api/v1/namespaces/default/configmaps?watch=true', undefined, {}, local);
    await new Promise((r) => setTimeout(r, 300));
    first.child.kill('SIGTERM');
    const ended = await watch;
    assert.equal(ended.code, 200);
    assert.match(ended.body, /^\{"type":"ADDED","object":\{.*"name":"kept"/);
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    assert.ok(first.lines.some((l) => l.includes('"msg":"shutting down"')));
    assert.ok(!first.lines.some((l) => l.includes('"level":"error"')), first.lines.join('\n'));

    const again = start();
    await again.ready;
    const local2 = new k8s.KubeConfig();
    local2.loadFromFile(`${tmp.dir}/admin.kubeconfig`);
    const kept = await request('GET', '/api/v1/namespaces/default/configmaps/kept', undefined, {}, local2);
    assert.equal(kept.code, 200);
    again.child.kill('SIGTERM');
    assert.deepEqual(await again.exited, { code: 0, signal: null });
  } finally {
    tmp.remove();
  }
});
