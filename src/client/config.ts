/** Where the API server is and who the client is: built in code, or read from a kubeconfig file. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClientConfig {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  /** A bearer token, e.g. a service-account token. */
  token?: string;
  /** The name to check the serving certificate against when it differs from the URL's host. */
  tlsServerName?: string;
  /** Sent as User-Agent; the API server derives the default field manager from it. */
  userAgent: string;
}

interface NamedEntry<T> {
  name: string;
  cluster?: T;
  user?: T;
  context?: T;
}
type Fields = Record<string, string | undefined>;

interface KubeconfigDocument {
  'current-context'?: string;
  clusters?: NamedEntry<Fields>[];
  users?: NamedEntry<Fields>[];
  contexts?: NamedEntry<Fields>[];
}

/** Reads the current context of a kubeconfig: embedded data or file paths (relative to the file). */
export function loadKubeconfig(path: string, userAgent: string, contextName?: string): ClientConfig {
  const doc = parse(readFileSync(path, 'utf8')) as KubeconfigDocument;
  const wanted = contextName ?? doc['current-context'];
  const context = doc.contexts?.find((c) => c.name === wanted)?.context;
  if (!context) throw new Error(`kubeconfig ${path}: context ${JSON.stringify(wanted)} not found`);
  const cluster = doc.clusters?.find((c) => c.name === context['cluster'])?.cluster;
  const user = doc.users?.find((u) => u.name === context['user'])?.user ?? {};
  if (!cluster?.['server'])
    throw new Error(`kubeconfig ${path}: cluster ${JSON.stringify(context['cluster'])} has no server`);
  const base = dirname(path);
  const material = (entry: Fields, key: string): string | undefined => {
    const data = entry[`${key}-data`];
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    const file = entry[key];
    return file ? readFileSync(resolve(base, file), 'utf8') : undefined;
  };
  const caPem = material(cluster, 'certificate-authority');
  if (!caPem) throw new Error(`kubeconfig ${path}: cluster has no certificate authority`);
  return {
    server: cluster['server'],
    caPem,
    certPem: material(user, 'client-certificate'),
    keyPem: material(user, 'client-key'),
    token: user['token'],
    tlsServerName: cluster['tls-server-name'],
    userAgent,
  };
}
