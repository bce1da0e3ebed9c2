import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where ensurePki keeps each file inside its directory. */
export interface PkiPaths {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountPublicKey: string;
  serviceAccountPrivateKey: string;
}

export function pkiPaths(dir: string): PkiPaths {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    servingCert: join(dir, 'server.crt'),
    servingKey: join(dir, 'server.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
    serviceAccountPrivateKey: join(dir, 'sa.key'),
  };
}

export const PUBLIC_FILE_MODE = 0o644;
export const PRIVATE_FILE_MODE = 0o600;

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes via a temporary file and a rename, so a crash never leaves a half-written file behind,
 * and the file gets `mode` even when it existed before with looser permissions.
 */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Tightens a private key file that is readable by group or others; returns true when it changed anything. */
export async function restrictToOwner(path: string): Promise<boolean> {
  const { mode } = await stat(path);
  if ((mode & 0o077) === 0) return false;
  await chmod(path, mode & 0o700);
  return true;
}
