/**
 * Runs the real kubectl against a minimal HTTPS API server on 127.0.0.1 that records request bodies.
 * Protobuf bodies are answered with the decoded object (plus a status where kubectl reads one), so
 * kubectl completes normally; `create ... --dry-run=server` then yields the body kubectl sends.
 */

import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { decodeKubernetesProtobuf, isProtobufContentType } from '../../src/apimachinery/protobuf/index.js';
import { tempDir } from '../support/tmp.js';

export interface Captured {
  method: string;
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

/** The kubectl on PATH, if it is 1.32 or newer (older ones send JSON). */
export function kubectlMinor(): number | undefined {
  try {
    const out = execFileSync('kubectl', ['version', '--client', '-o', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    const v = JSON.parse(out) as { clientVersion?: { major?: string; minor?: string } };
    if (v.clientVersion?.major !== '1') return undefined;
    return parseInt(v.clientVersion.minor ?? '', 10) || undefined;
  } catch {
    return undefined;
  }
}

export function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const CSR_PEM = `-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----\n`;

/** The CertificateSigningRequest GET answers with; `kubectl certificate approve` PUTs it back. */
export const storedCsr = {
  kind: 'CertificateSigningRequest',
  apiVersion: 'certificates.k8s.io/v1',
  metadata: { name: 'csr1', uid: '5b1c3f0e-0000-4000-8000-000000000001', resourceVersion: '7' },
  spec: {
    request: Buffer.from(CSR_PEM).toString('base64'),
    signerName: 'kubernetes.io/kube-apiserver-client',
    expirationSeconds: 86400,
    usages: ['client auth'],
    username: 'alice',
    groups: ['system:authenticated'],
  },
  status: {},
};

const discovery: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      {
        name: 'certificates.k8s.io',
        versions: [{ groupVersion: 'certificates.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'certificates.k8s.io/v1', version: 'v1' },
      },
    ],
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] },
      { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list'] },
    ],
  },
  '/apis/certificates.k8s.io/v1': {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: 'certificates.k8s.io/v1',
    resources: [
      {
        name: 'certificatesigningrequests',
        singularName: 'certificatesigningrequest',
        namespaced: false,
        kind: 'CertificateSigningRequest',
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: ['csr'],
      },
      {
        name: 'certificatesigningrequests/approval',
        singularName: '',
        namespaced: false,
        kind: 'CertificateSigningRequest',
        verbs: ['get', 'patch', 'update'],
      },
    ],
  },
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
  '/apis/certificates.k8s.io/v1/certificatesigningrequests/csr1': storedCsr,
};

/** What kubectl reads back from a create: a status for reviews and token requests. */
function answer(object: Record<string, unknown>): Record<string, unknown> {
  switch (object['kind']) {
    case 'SelfSubjectAccessReview':
      return { ...object, status: { allowed: true } };
    case 'SelfSubjectReview':
      return { ...object, status: { userInfo: { username: 'alice', groups: ['system:authenticated'] } } };
    case 'TokenRequest':
      return { ...object, status: { token: 'tkn', expirationTimestamp: '2030-01-01T00:00:00Z' } };
    default:
      return object;
  }
}

export interface KubectlEnv {
  dir: string;
  captured: Captured[];
  kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export async function startKubectlEnv(): Promise<KubectlEnv> {
  const { dir, remove } = tempDir('k8ts-kubectl-');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'tls.key'),
      '-out',
      join(dir, 'tls.crt'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore', timeout: 30_000 },
  );
  const captured: Captured[] = [];
  const server = https.createServer(
    { key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'tls.crt')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const path = (req.url ?? '/').split('?')[0]!;
        const contentType = req.headers['content-type'];
        captured.push({ method: req.method ?? '', path, contentType, body });
        const reply = (code: number, obj: unknown): void => {
          res.writeHead(code, { 'content-type': 'application/json' });
          res.end(JSON.stringify(obj));
        };
        if (req.method === 'GET' && Object.hasOwn(discovery, path)) return reply(200, discovery[path]);
        if (body.length && isProtobufContentType(contentType)) {
          try {
            return reply(req.method === 'POST' ? 201 : 200, answer(decodeKubernetesProtobuf(body).object));
          } catch (err) {
            return reply(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(err) });
          }
        }
        reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: local\n  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
      'users:',
      '- name: tester\n  user: {token: test-token}',
      'contexts:',
      '- name: local\n  context: {cluster: local, user: tester, namespace: default}',
      'current-context: local',
      '',
    ].join('\n'),
  );
  const kubectl = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      // Async on purpose: the server answering kubectl runs on this same event loop.
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args],
        { encoding: 'utf8', timeout: 30_000, cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: dir } },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    remove();
  };
  return { dir, captured, kubectl, close };
}
