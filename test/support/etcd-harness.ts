/**
 * Real etcd processes for tests and benchmarks: one member or a cluster, on loopback ports, with
 * temporary data directories. Everything started here is killed (by PID) when the process exits.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const ETCD_BIN = process.env['K8TS_ETCD_BIN'] ?? '/usr/bin/etcd';

export interface EtcdOptions {
  /** How long to wait for the member(s) to report healthy. Default 30 s. */
  startTimeoutMs?: number;
  /** Extra etcd flags. */
  args?: string[];
}

export interface EtcdInstance {
  endpoints: string[];
  readonly pid: number;
  dataDir: string;
  /** The process itself, to kill or restart it. */
  member: EtcdMember;
  stop(): Promise<void>;
}

export interface EtcdMember {
  name: string;
  /** The current process; changes on restart. */
  readonly pid: number;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  /** True until the process has exited. */
  readonly running: boolean;
  /** SIGTERM, then SIGKILL if it has not exited after a while. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped member again on the same ports and data, and waits until it is healthy. */
  restart(timeoutMs?: number): Promise<void>;
}

export interface EtcdCluster {
  endpoints: string[];
  members: EtcdMember[];
  stop(): Promise<void>;
}

/** Flags every test member gets: quiet logs, room for 1.5 MiB objects, and a quota tests will not hit. */
const COMMON_FLAGS = [
  '--logger=zap',
  '--log-level=error',
  '--max-request-bytes=10485760',
  '--quota-backend-bytes=8589934592',
];

const STOP_GRACE_MS = 10_000;

// ---- leftovers: kill by PID on exit, whatever way the test ends ----

const live = new Set<number>();
const tempRoots = new Set<string>();
let hooksInstalled = false;

function killLeftovers(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of tempRoots) rmSync(dir, { recursive: true, force: true });
  tempRoots.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killLeftovers);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killLeftovers();
      process.removeListener(signal, onSignal);
      // Die of the same signal, as the default behaviour would have.
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

// ---- ports ----

/** Distinct free loopback ports: all are held open at once, so none is handed out twice. */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const addr = server.address();
      if (addr === null || typeof addr === 'string') throw new Error('could not read the bound port');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

// ---- one process ----

interface MemberSpec {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  initialCluster: string;
  token: string;
  extraArgs: string[];
}

class Member implements EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  private readonly args: string[];
  private child!: ChildProcess;
  private currentPid = 0;
  private stderrTail = '';
  private exited!: Promise<void>;
  private exitInfo: string | undefined;

  constructor(spec: MemberSpec) {
    this.name = spec.name;
    this.dataDir = spec.dataDir;
    this.clientUrl = `http://127.0.0.1:${spec.clientPort}`;
    this.peerUrl = `http://127.0.0.1:${spec.peerPort}`;
    // On a restart the data directory exists and etcd ignores the --initial-* flags.
    this.args = [
      `--name=${spec.name}`,
      `--data-dir=${spec.dataDir}`,
      `--listen-client-urls=${this.clientUrl}`,
      `--advertise-client-urls=${this.clientUrl}`,
      `--listen-peer-urls=${this.peerUrl}`,
      `--initial-advertise-peer-urls=${this.peerUrl}`,
      `--initial-cluster=${spec.initialCluster}`,
      '--initial-cluster-state=new',
      `--initial-cluster-token=${spec.token}`,
      ...COMMON_FLAGS,
      ...spec.extraArgs,
    ];
    this.launch();
  }

  get pid(): number {
    return this.currentPid;
  }

  private launch(): void {
    const env: NodeJS.ProcessEnv = {};
    // An ETCD_* variable in the environment would silently override our flags.
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD')) env[k] = v;
    const child = spawn(ETCD_BIN, this.args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
    });
    if (child.pid === undefined)
      throw new Error(`could not start ${ETCD_BIN} (set K8TS_ETCD_BIN to its path)`);
    const pid = child.pid;
    this.child = child;
    this.currentPid = pid;
    this.exitInfo = undefined;
    this.stderrTail = '';
    live.add(pid);
    // 'close' rather than 'exit': by then all of stderr has been read.
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exitInfo = spawnError
          ? `failed: ${spawnError.message}`
          : signal
            ? `killed by ${signal}`
            : `exited with code ${code}`;
        live.delete(pid);
        resolve();
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-8_000);
    });
    // Neither the process nor its pipe should keep a finished test alive; the exit hook kills it.
    child.unref();
    (child.stderr as Socket).unref();
  }

  async restart(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error(`etcd member ${this.name} is still running (pid ${this.pid})`);
    this.launch();
    try {
      await waitHealthy([this], timeoutMs);
    } catch (err) {
      await this.kill('SIGKILL');
      throw err;
    }
  }

  /** Waits for the process to end, keeping this process alive meanwhile (the handles are unref'd). */
  private async waitExit(): Promise<void> {
    this.child.ref();
    (this.child.stderr as Socket).ref();
    await this.exited;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  describe(): string {
    const status = this.exitInfo ?? 'still running';
    const stderr = this.stderrTail.trim() || '(no stderr output)';
    return `etcd member ${this.name} (pid ${this.pid}, ${this.clientUrl}, ${status}); stderr:\n${stderr}`;
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.clientUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { health?: unknown };
      return body.health === 'true';
    } catch {
      return false;
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // exited meanwhile
    }
    await this.waitExit();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      // exited meanwhile
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
    });
    const result = await Promise.race([this.waitExit().then(() => 'exited' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') await this.kill('SIGKILL');
  }
}

async function waitHealthy(members: Member[], timeoutMs: number): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  const pending = new Set(members);
  while (pending.size > 0) {
    for (const m of [...pending]) {
      if (!m.running) throw new Error(`etcd did not start:\n${m.describe()}`);
      if (await m.healthy()) pending.delete(m);
    }
    if (pending.size === 0) return;
    if (Date.now() > giveUpAt) {
      const details = [...pending].map((m) => m.describe()).join('\n');
      throw new Error(`etcd was not healthy within ${timeoutMs} ms:\n${details}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function launch(size: number, opts: EtcdOptions): Promise<{ members: Member[]; root: string }> {
  // The free ports are released before etcd binds them, so another process can take one in between.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(size, opts);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
    }
  }
}

async function launchOnce(size: number, opts: EtcdOptions): Promise<{ members: Member[]; root: string }> {
  installHooks();
  const root = mkdtempSync(join(tmpdir(), 'k8ts-etcd-'));
  tempRoots.add(root);
  const members: Member[] = [];
  try {
    const ports = await freePorts(size * 2);
    const token = `k8ts-test-${randomBytes(6).toString('hex')}`;
    const specs = Array.from({ length: size }, (_, i) => ({
      name: `m${i}`,
      clientPort: ports[2 * i] ?? 0,
      peerPort: ports[2 * i + 1] ?? 0,
    }));
    const initialCluster = specs.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
    for (const m of specs) {
      members.push(
        new Member({
          ...m,
          dataDir: join(root, m.name),
          initialCluster,
          token,
          extraArgs: opts.args ?? [],
        }),
      );
    }
    await waitHealthy(members, opts.startTimeoutMs ?? 30_000);
    return { members, root };
  } catch (err) {
    await Promise.all(members.map((m) => m.kill('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
    tempRoots.delete(root);
    throw err;
  }
}

function stopAll(members: Member[], root: string): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      // One at a time: members told to stop together wait seconds for each other to hand over leadership.
      for (const m of members) await m.stop();
      rmSync(root, { recursive: true, force: true });
      tempRoots.delete(root);
    })());
}

/** Starts a single-member etcd on free loopback ports and waits until it is healthy. */
export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdInstance> {
  const { members, root } = await launch(1, opts);
  const [m] = members as [Member];
  return {
    endpoints: [m.clientUrl],
    get pid() {
      return m.pid;
    },
    dataDir: m.dataDir,
    member: m,
    stop: stopAll(members, root),
  };
}

/** Starts an etcd cluster of `size` members on loopback and waits until every member is healthy. */
export async function startEtcdCluster(size = 3, opts: EtcdOptions = {}): Promise<EtcdCluster> {
  const { members, root } = await launch(size, opts);
  return { endpoints: members.map((m) => m.clientUrl), members, stop: stopAll(members, root) };
}
