/**
 * Starts `bin/k8ts server` in a child process on a free port with its own data dir, for end-to-end
 * tests and benchmarks.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

export interface RunningServer {
  dataDir: string;
  kubeconfig: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const bin = fileURLToPath(new URL('../../../bin/k8ts', import.meta.url));
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export interface ServerOptions {
  /** Use this data dir (kept on stop) instead of a fresh temporary one (removed on stop). */
  dataDir?: string;
  /** Options for the node binary itself, e.g. `--cpu-prof`. */
  nodeOptions?: string[];
  /** Each log line the server writes after it is ready. */
  onLine?: (line: string) => void;
}

export async function startServer(args: string[] = [], opts: ServerOptions = {}): Promise<RunningServer> {
  const tmp = opts.dataDir ? { dir: opts.dataDir, remove: () => undefined } : tempDir('k8ts-e2e-');
  const child = spawn(
    process.execPath,
    [
      ...(opts.nodeOptions ?? []),
      bin,
      'server',
      '--data-dir',
      tmp.dir,
      '--port',
      '0',
      '--bind-address',
      '127.0.0.1',
      ...args,
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.add(child);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const log: string[] = [];
  let port = 0;
  for await (const line of createInterface({ input: child.stderr })) {
    log.push(line);
    let entry: { component?: string; msg?: string; port?: number };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // not a log line (a usage error, say): kept in `log` for the message below
    }
    if (entry.component === 'server' && entry.msg === 'ready') {
      port = entry.port!;
      break;
    }
  }
  if (!port) {
    child.kill('SIGKILL');
    await exited;
    children.delete(child);
    tmp.remove();
    throw new Error(`k8ts server did not become ready:\n${log.join('\n')}`);
  }
  if (opts.onLine) createInterface({ input: child.stderr }).on('line', opts.onLine);
  else child.stderr.resume();
  return {
    dataDir: tmp.dir,
    kubeconfig: `${tmp.dir}/admin.kubeconfig`,
    port,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      children.delete(child);
      tmp.remove();
    },
  };
}
