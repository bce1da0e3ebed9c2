import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export function kubectlPath(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Runs kubectl with a private HOME (its cache goes there) and no proxy settings; returns stdout. */
export async function kubectl(bin: string, home: string, args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: home, NO_PROXY: '*' };
  const { stdout } = await execFileAsync(bin, args, { env, timeout: 60_000 });
  return stdout;
}
