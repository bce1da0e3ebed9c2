/** Finds the real kubectl binaries (the one on PATH and the versioned ones beside it) and runs them. */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Kubectl {
  version: string;
  path: string;
}

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** kubectl on PATH plus kubectl.1.NN beside the real binary, for the wanted minor versions that exist. */
export function findKubectls(wanted: number[]): Kubectl[] {
  const onPath = which('kubectl');
  if (!onPath) return [];
  const dir = dirname(realpathSync(onPath));
  const out: Kubectl[] = [];
  for (const minor of wanted) {
    const p = join(dir, `kubectl.1.${minor}`);
    if (existsSync(p)) out.push({ version: `1.${minor}`, path: p });
  }
  if (out.length === 0) out.push({ version: 'path', path: onPath });
  return out;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(
  k: Kubectl,
  kubeconfig: string,
  cacheDir: string,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      k.path,
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      {
        env: { ...process.env, HOME: cacheDir, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true', ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Asserts that a kubectl run succeeded; its stdout. */
export function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Asserts that a kubectl run failed; its stderr. */
export function fails(r: RunResult, what: string): string {
  assert.notEqual(r.code, 0, `${what} should have failed: ${r.stdout}`);
  return r.stderr;
}
