import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../support/tmp.js';

const bin = fileURLToPath(new URL('../../../bin/k8ts', import.meta.url));
const run = promisify(execFile);
const tmp = tempDir('k8ts-cli-');
after(() => tmp.remove());

async function k8ts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('k8ts --help lists the commands, and each command has --help', async () => {
  const top = await k8ts('--help');
  assert.equal(top.code, 0);
  for (const c of ['server', 'store', 'version']) assert.match(top.stdout, new RegExp(`^  ${c} `, 'm'));
  for (const c of ['server', 'store']) {
    const h = await k8ts(c, '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Usage: k8ts /);
    assert.match(h.stdout, /--data-dir/);
  }
  const bad = await k8ts('server', '--storage', 'floppy');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--storage must be sqlite, etcd or memory, not "floppy"/);
  const unknown = await k8ts('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('k8ts server holds its data dir, and shuts down cleanly on SIGTERM', async () => {
  const dataDir = `${tmp.dir}/state`;
  const server = spawn(
    process.execPath,
    [bin, 'server', '--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = once(server, 'exit');
  for await (const line of createInterface({ input: server.stderr })) {
    const entry = JSON.parse(line) as {
      component: string;
      msg: string;
      backend?: string;
      kubeconfig?: string;
    };
    assert.ok(['server', 'pki', 'apiserver', 'service-network'].includes(entry.component), line);
    if (entry.component === 'server' && entry.msg === 'ready') {
      assert.equal(entry.backend, 'sqlite');
      assert.equal(entry.kubeconfig, `${dataDir}/admin.kubeconfig`);
      break;
    }
  }
  const busy = await k8ts('store', 'status', '--data-dir', dataDir);
  assert.equal(busy.code, 1);
  assert.equal(
    busy.stderr.trim(),
    `k8ts store: the database ${dataDir}/db/state.db is in use by another process (process ${server.pid})`,
  );
  server.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, string | null];
  assert.deepEqual([code, signal], [0, null]);
  const status = await k8ts('store', 'status', '--data-dir', dataDir);
  assert.equal(status.code, 0, status.stderr);
  const st = JSON.parse(status.stdout) as { backend: string; revision: number; compactedRevision: number };
  assert.equal(st.backend, 'sqlite');
  assert.ok(st.revision >= 4, 'the four system namespaces were stored');
});
