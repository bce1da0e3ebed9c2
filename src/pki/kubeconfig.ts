import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** API server URL, e.g. https://127.0.0.1:6443 */
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  clusterName?: string;
  userName?: string;
  contextName?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

/** The kubeconfig document (credentials embedded, current-context set), as a plain object. */
export function kubeconfigDocument(opts: KubeconfigOptions): Record<string, unknown> {
  const clusterName = opts.clusterName ?? 'k8ts';
  const userName = opts.userName ?? 'admin';
  const contextName = opts.contextName ?? 'k8ts';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: clusterName,
        cluster: { server: opts.server, 'certificate-authority-data': base64(opts.caCertPem) },
      },
    ],
    users: [
      {
        name: userName,
        user: {
          'client-certificate-data': base64(opts.clientCertPem),
          'client-key-data': base64(opts.clientKeyPem),
        },
      },
    ],
    contexts: [
      {
        name: contextName,
        context: {
          cluster: clusterName,
          user: userName,
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
        },
      },
    ],
    'current-context': contextName,
    preferences: {},
  };
}

/**
 * Writes a kubeconfig holding a client key, so mode 0600; the write goes through a temporary file and
 * a rename, which also resets the mode of a file that existed before with looser permissions.
 */
export function writeKubeconfig(path: string, opts: KubeconfigOptions): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const text = stringify(kubeconfigDocument(opts), { lineWidth: 0 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
