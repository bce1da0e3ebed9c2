/**
 * The non-stored resources and action subresources against a real `k8ts server`: access reviews and
 * `kubectl auth`, TokenRequest and service account tokens on the wire, TokenReview, pods/binding,
 * pods/eviction with PodDisruptionBudgets, componentstatuses and CSR approval, with real kubectl
 * (1.33 sends protobuf bodies, 1.30, 1.27) and @kubernetes/client-node.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { findKubectls, kubectl } from '../support/kubectl.js';
import type { Kubectl, RunResult } from '../support/kubectl.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { tempDir } from '../support/tmp.js';

const versions = findKubectls([33, 30, 27]);
let server: RunningServer;
const cache = tempDir('k8ts-virtual-cache-');
let tls: { ca: Buffer; cert: Buffer; key: Buffer };

before(async () => {
  // The API server alone: no controller or scheduler changes the objects these tests look at.
  server = await startServer(['--disable-controller-manager', '--disable-scheduler']);
  const kc = parseYaml(readFileSync(server.kubeconfig, 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
  tls = {
    ca: b64(kc.clusters[0]!.cluster['certificate-authority-data']),
    cert: b64(kc.users[0]!.user['client-certificate-data']),
    key: b64(kc.users[0]!.user['client-key-data']),
  };
});
after(async () => {
  await server?.stop();
  cache.remove();
});

interface HttpResult {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/** One HTTPS request to the server on loopback: as admin (client certificate) or with a bearer token. */
function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        ca: tls.ca,
        ...(opts.token ? {} : { cert: tls.cert, key: tls.key }),
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text) as Record<string, unknown>;
          } catch {
            body = { text };
          }
          resolve({ code: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function run(k: Kubectl, args: string[], input?: string): Promise<RunResult> {
  return kubectl(k, server.kubeconfig, join(cache.dir, k.version), args, input);
}

async function ok(k: Kubectl, args: string[], input?: string): Promise<string> {
  const r = await run(k, args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const jwtPayload = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

for (const k of versions) {
  describe(`kubectl ${k.version}`, () => {
    const ns = `virt-${k.version.replace('.', '-')}`;

    before(async () => {
      await ok(k, ['create', 'namespace', ns]);
      await ok(k, ['-n', ns, 'create', 'serviceaccount', 'robot']);
    });

    test('auth can-i answers yes/no with the exit code', async () => {
      const yes = await run(k, ['auth', 'can-i', 'create', 'pods', '-n', ns]);
      assert.equal(yes.code, 0);
      assert.equal(yes.stdout.trim(), 'yes');
      const no = await run(k, ['auth', 'can-i', 'create', 'pods', '-n', ns, '--as', 'bob']);
      assert.equal(no.code, 1);
      assert.equal(no.stdout.trim(), 'no');
      const sa = await run(k, [
        'auth',
        'can-i',
        'list',
        'secrets',
        '--as',
        `system:serviceaccount:${ns}:robot`,
      ]);
      assert.equal(sa.stdout.trim(), 'no');
      // What every authenticated user may do (system:basic-user) holds for impersonated users too.
      const self = await run(k, ['auth', 'can-i', 'create', 'selfsubjectaccessreviews', '--as', 'bob']);
      assert.equal(self.stdout.trim(), 'yes');
    });

    test('auth can-i --list prints the rules table', async () => {
      const out = await ok(k, ['auth', 'can-i', '--list', '-n', ns]);
      const lines = out.trim().split('\n');
      assert.match(lines[0]!, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
      assert.ok(
        lines.some((l) => /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/.test(l)),
        out,
      );
      assert.ok(
        lines.some((l) => /^\s+\[\*\]\s+\[\]\s+\[\*\]$/.test(l)),
        out,
      );
      const bob = await ok(k, ['auth', 'can-i', '--list', '--as', 'bob']);
      assert.doesNotMatch(bob, /\*\.\*/);
      assert.match(bob, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
      assert.match(bob, /\[\/api\/\*\]\s+\[\]\s+\[get\]/);
    });

    test('auth whoami', async () => {
      const out = await ok(k, ['auth', 'whoami']);
      assert.match(out, /^ATTRIBUTE\s+VALUE$/m);
      assert.match(out, /^Username\s+admin$/m);
      assert.match(out, /^Groups\s+\[system:masters system:authenticated\]$/m);
      const json = JSON.parse(
        await ok(k, ['auth', 'whoami', '-o', 'json', '--as', `system:serviceaccount:${ns}:robot`]),
      ) as { kind: string; status: { userInfo: { username: string; groups: string[] } } };
      assert.equal(json.kind, 'SelfSubjectReview');
      assert.equal(json.status.userInfo.username, `system:serviceaccount:${ns}:robot`);
      assert.deepEqual(json.status.userInfo.groups, [
        'system:serviceaccounts',
        `system:serviceaccounts:${ns}`,
        'system:authenticated',
      ]);
    });

    test('create token: a bearer token that authenticates as the service account', async () => {
      const token = (await ok(k, ['-n', ns, 'create', 'token', 'robot', '--duration', '20m'])).trim();
      const claims = jwtPayload(token);
      assert.equal(claims['sub'], `system:serviceaccount:${ns}:robot`);
      assert.equal(claims['iss'], 'https://kubernetes.default.svc.cluster.local');
      assert.equal(Number(claims['exp']) - Number(claims['iat']), 20 * 60);
      const sa = JSON.parse(await ok(k, ['-n', ns, 'get', 'sa', 'robot', '-o', 'json'])) as {
        metadata: { uid: string };
      };
      assert.deepEqual((claims['kubernetes.io'] as Record<string, unknown>)['serviceaccount'], {
        name: 'robot',
        uid: sa.metadata.uid,
      });

      const denied = await call('GET', `/api/v1/namespaces/${ns}/pods`, { token });
      assert.equal(denied.code, 403);
      assert.equal(
        denied.body['message'],
        `pods is forbidden: User "system:serviceaccount:${ns}:robot" cannot list resource "pods" in API group "" in the namespace "${ns}"`,
      );
      const who = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        token,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      });
      assert.equal(who.code, 201);
      assert.equal(
        (who.body['status'] as { userInfo: { username: string } }).userInfo.username,
        `system:serviceaccount:${ns}:robot`,
      );

      const short = await run(k, ['-n', ns, 'create', 'token', 'robot', '--duration', '5m']);
      assert.notEqual(short.code, 0);
      assert.match(
        short.stderr,
        /spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/,
      );
      const missing = await run(k, ['-n', ns, 'create', 'token', 'nobody']);
      assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    });

    test('get componentstatuses', async () => {
      const r = await run(k, ['get', 'componentstatuses']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0]!, /^NAME\s+STATUS\s+MESSAGE\s+ERROR$/);
      assert.ok(
        lines.some((l) => /^etcd-0\s+Healthy\s+ok/.test(l)),
        r.stdout,
      );
      // This server runs without them.
      assert.ok(
        lines.some((l) => /^scheduler\s+Unhealthy\s+scheduler is disabled in this server process/.test(l)),
        r.stdout,
      );
      assert.match(r.stderr, /v1 ComponentStatus is deprecated in v1\.19\+/);
      const missing = await run(k, ['get', 'cs', 'nope']);
      assert.match(missing.stderr, /componentstatuses "nope" not found/);
    });

    test('certificate approve and deny', async () => {
      const request = csrPem();
      const csr = (name: string) => `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: ${name}}
spec: {request: ${request}, signerName: kubernetes.io/kube-apiserver-client, usages: [client auth]}
`;
      const a = `${ns}-a`;
      const d = `${ns}-d`;
      // kubectl 1.27 validates against /openapi/v2, which this server does not serve.
      await ok(k, ['apply', '--validate=false', '-f', '-'], csr(a) + '---\n' + csr(d));
      assert.match(
        await ok(k, ['certificate', 'approve', a]),
        new RegExp(`certificatesigningrequest.certificates.k8s.io/${a} approved`),
      );
      assert.match(
        await ok(k, ['certificate', 'deny', d]),
        new RegExp(`certificatesigningrequest.certificates.k8s.io/${d} denied`),
      );
      const table = await ok(k, ['get', 'csr', a, d]);
      // The requester is recorded by the server: the admin certificate's user, whatever the client sent.
      assert.match(table, new RegExp(`^${a}\\s.*\\sadmin\\s.*\\sApproved$`, 'm'));
      assert.match(table, new RegExp(`^${d}\\s.*\\sDenied$`, 'm'));
      const obj = JSON.parse(await ok(k, ['get', 'csr', a, '-o', 'json'])) as {
        status: { conditions: Record<string, string>[] };
      };
      assert.equal(obj.status.conditions[0]!['type'], 'Approved');
      assert.deepEqual(
        (obj as unknown as { spec: { username: string; groups: string[] } }).spec.groups.includes(
          'system:masters',
        ),
        true,
      );
      assert.equal(obj.status.conditions[0]!['reason'], 'KubectlApprove');
      assert.ok(obj.status.conditions[0]!['lastTransitionTime']);
    });
  });
}

let csrCache: string | undefined;
/** A PKCS#10 request (base64 of its PEM), made with openssl. */
function csrPem(): string {
  if (csrCache) return csrCache;
  const dir = tempDir('k8ts-csr-');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir.dir, 'k.pem'),
        '-subj',
        '/CN=alice',
        '-out',
        join(dir.dir, 'r.csr'),
      ],
      { stdio: 'ignore' },
    );
    csrCache = readFileSync(join(dir.dir, 'r.csr')).toString('base64');
    return csrCache;
  } finally {
    dir.remove();
  }
}

describe('over the API', () => {
  const ns = 'virt-api';
  let kc: k8s.KubeConfig;

  before(async () => {
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'robot' } } });
  });

  const token = async (extra: Record<string, unknown> = {}) => {
    const r = await call('POST', `/api/v1/namespaces/${ns}/serviceaccounts/robot/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { ...extra } },
    });
    assert.equal(r.code, 201, JSON.stringify(r.body));
    return (r.body['status'] as { token: string }).token;
  };

  test('TokenReview through client-node', async () => {
    const auth = kc.makeApiClient(k8s.AuthenticationV1Api);
    const t = await token();
    const good = await auth.createTokenReview({ body: { spec: { token: t } } });
    assert.equal(good.status?.authenticated, true);
    assert.equal(good.status?.user?.username, `system:serviceaccount:${ns}:robot`);
    assert.deepEqual(good.status?.user?.groups, [
      'system:serviceaccounts',
      `system:serviceaccounts:${ns}`,
      'system:authenticated',
    ]);
    assert.deepEqual(good.status?.audiences, ['https://kubernetes.default.svc.cluster.local']);

    const other = await auth.createTokenReview({ body: { spec: { token: t, audiences: ['vault'] } } });
    assert.equal(other.status?.authenticated, false);
    assert.match(
      other.status?.error ?? '',
      /token audiences \["https:\/\/kubernetes.default.svc.cluster.local"\] is invalid for the target audiences \["vault"\]/,
    );

    const forged = `${t.slice(0, -4)}AAAA`;
    const bad = await auth.createTokenReview({ body: { spec: { token: forged } } });
    assert.equal(bad.status?.authenticated, false);
  });

  test('bad tokens are 401; a token dies with its service account', async () => {
    const r = await call('GET', '/api', { token: 'not-a-jwt' });
    assert.equal(r.code, 401);
    assert.equal(r.body['reason'], 'Unauthorized');
    assert.equal(r.body['message'], 'Unauthorized');

    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'shortlived' } } });
    const res = await call('POST', `/api/v1/namespaces/${ns}/serviceaccounts/shortlived/token`, {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    });
    const t = (res.body['status'] as { token: string }).token;
    assert.equal((await call('GET', '/api', { token: t })).code, 200);
    await core.deleteNamespacedServiceAccount({ namespace: ns, name: 'shortlived' });
    assert.equal((await call('GET', '/api', { token: t })).code, 401);
  });

  test('impersonation needs the impersonate verb', async () => {
    const t = await token();
    const r = await call('GET', '/api', { token: t, headers: { 'Impersonate-User': 'bob' } });
    assert.equal(r.code, 403);
    assert.equal(
      r.body['message'],
      `users "bob" is forbidden: User "system:serviceaccount:${ns}:robot" cannot impersonate resource "users" in API group "" at the cluster scope`,
    );
    const asAdmin = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      headers: { 'Impersonate-User': 'bob', 'Impersonate-Group': 'devs' },
    });
    assert.deepEqual((asAdmin.body['status'] as { userInfo: unknown }).userInfo, {
      username: 'bob',
      groups: ['devs', 'system:authenticated'],
    });
  });

  test('pod-bound token names the pod and dies with it', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const pod = await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'holder' },
        spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    const t = await token({ boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'holder' } });
    const k8sClaim = jwtPayload(t)['kubernetes.io'] as Record<string, unknown>;
    assert.deepEqual(k8sClaim['pod'], { name: 'holder', uid: pod.metadata?.uid });
    const wrong = await call('POST', `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'holder' } },
      },
    });
    // No "default" service account in this namespace yet (no controller makes one): 404 first.
    assert.ok(wrong.code === 404 || wrong.code === 400, JSON.stringify(wrong.body));
    assert.equal((await call('GET', '/api', { token: t })).code, 200);
    await core.deleteNamespacedPod({ namespace: ns, name: 'holder', gracePeriodSeconds: 0 });
    assert.equal((await call('GET', '/api', { token: t })).code, 401);
  });

  test('pods/binding sets the node once', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    await core.createNamespacedPodBinding({
      namespace: ns,
      name: 'unbound',
      body: { metadata: { name: 'unbound' }, target: { kind: 'Node', name: 'node-a' } },
    });
    const pod = await core.readNamespacedPod({ namespace: ns, name: 'unbound' });
    assert.equal(pod.spec?.nodeName, 'node-a');
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    assert.equal(scheduled?.status, 'True');

    const again = await call('POST', `/api/v1/namespaces/${ns}/pods/unbound/binding`, {
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'unbound' }, target: { name: 'node-b' } },
    });
    assert.equal(again.code, 409);
    assert.equal(
      again.body['message'],
      'Operation cannot be fulfilled on pods/binding "unbound": pod unbound is already assigned to node "node-a"',
    );
    // The legacy collection: the Binding names the pod.
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'legacy' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    });
    const legacy = await call('POST', `/api/v1/namespaces/${ns}/bindings`, {
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'legacy' }, target: { name: 'node-b' } },
    });
    assert.equal(legacy.code, 201, JSON.stringify(legacy.body));
    assert.equal((await core.readNamespacedPod({ namespace: ns, name: 'legacy' })).spec?.nodeName, 'node-b');
  });

  test('pods/eviction honours PodDisruptionBudgets', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const policy = kc.makeApiClient(k8s.PolicyV1Api);
    for (const name of ['web-1', 'web-2'])
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name, labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      });
    for (const name of ['web-1', 'web-2'])
      await call('PATCH', `/api/v1/namespaces/${ns}/pods/${name}/status`, {
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      });
    await policy.createNamespacedPodDisruptionBudget({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
      },
    });
    const evict = (name: string) =>
      call('POST', `/api/v1/namespaces/${ns}/pods/${name}/eviction`, {
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } },
      });
    // Not yet observed by a disruption controller: 429, retry later.
    const early = await evict('web-1');
    assert.equal(early.code, 429);
    assert.match(
      JSON.stringify(early.body),
      /The disruption budget web is still being processed by the server\./,
    );

    const setStatus = (status: Record<string, unknown>) =>
      call('PATCH', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/web/status`, {
        headers: { 'content-type': 'application/merge-patch+json' },
        body: {
          status: { observedGeneration: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, ...status },
        },
      });
    await setStatus({ disruptionsAllowed: 1 });
    const first = await evict('web-1');
    assert.equal(first.code, 201, JSON.stringify(first.body));
    assert.equal(first.body['status'], 'Success');
    const pdb = await policy.readNamespacedPodDisruptionBudget({ namespace: ns, name: 'web' });
    assert.equal(pdb.status?.disruptionsAllowed, 0);
    assert.ok(pdb.status?.disruptedPods?.['web-1']);
    await assert.rejects(core.readNamespacedPod({ namespace: ns, name: 'web-1' }));

    const blocked = await evict('web-2');
    assert.equal(blocked.code, 429);
    assert.equal(blocked.body['reason'], 'TooManyRequests');
    assert.equal(
      blocked.body['message'],
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    assert.deepEqual((blocked.body['details'] as { causes: unknown[] }).causes, [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget web needs 1 healthy pods and has 2 currently',
      },
    ]);
    await core.readNamespacedPod({ namespace: ns, name: 'web-2' });

    const missing = await evict('ghost');
    assert.equal(missing.code, 404);
    assert.equal(missing.body['message'], 'pods "ghost" not found');
  });

  test('CSR /approval cannot both approve and deny; /status sets the certificate but not approval', async () => {
    const certs = kc.makeApiClient(k8s.CertificatesV1Api);
    await certs.createCertificateSigningRequest({
      body: {
        metadata: { name: 'api-csr' },
        spec: { request: csrPem(), signerName: 'example.com/signer', usages: ['client auth'] },
      },
    });
    const approve = { type: 'Approved', status: 'True', reason: 'Test' };
    const ok1 = await call(
      'PUT',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/api-csr/approval',
      {
        body: {
          apiVersion: 'certificates.k8s.io/v1',
          kind: 'CertificateSigningRequest',
          metadata: { name: 'api-csr' },
          status: { conditions: [approve] },
        },
      },
    );
    assert.equal(ok1.code, 200, JSON.stringify(ok1.body));
    const both = await call(
      'PUT',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/api-csr/approval',
      {
        body: {
          apiVersion: 'certificates.k8s.io/v1',
          kind: 'CertificateSigningRequest',
          metadata: { name: 'api-csr' },
          status: { conditions: [approve, { type: 'Denied', status: 'True' }] },
        },
      },
    );
    assert.equal(both.code, 422);
    assert.match(
      String(both.body['message']),
      /status\.conditions\[1\]\.type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive/,
    );

    const ca = tls.ca.toString('base64');
    const issued = await call(
      'PATCH',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/api-csr/status',
      {
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { status: { certificate: ca } },
      },
    );
    assert.equal(issued.code, 200, JSON.stringify(issued.body));
    assert.equal((issued.body['status'] as { certificate: string }).certificate, ca);
    const sneaky = await call(
      'PATCH',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/api-csr/status',
      {
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { status: { conditions: [approve, { type: 'Denied', status: 'True' }] } },
      },
    );
    assert.equal(sneaky.code, 422);
    assert.match(String(sneaky.body['message']), /updates may not add a condition of type "Denied"/);
    const notPem = await call(
      'PATCH',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/api-csr/approval',
      {
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { status: { certificate: Buffer.from('junk').toString('base64') } },
      },
    );
    // /approval keeps the certificate whatever the body says.
    assert.equal(notPem.code, 200);
    assert.equal((notPem.body['status'] as { certificate: string }).certificate, ca);
  });

  test('discovery lists the virtual resources with their verbs', async () => {
    const authz = await call('GET', '/apis/authorization.k8s.io/v1');
    const names = (authz.body['resources'] as { name: string; verbs: string[]; namespaced: boolean }[]).map(
      (r) => `${r.name}:${r.verbs.join(',')}:${r.namespaced}`,
    );
    assert.deepEqual(names.sort(), [
      'localsubjectaccessreviews:create:true',
      'selfsubjectaccessreviews:create:false',
      'selfsubjectrulesreviews:create:false',
      'subjectaccessreviews:create:false',
    ]);
    const core = await call('GET', '/api/v1');
    const cs = (core.body['resources'] as { name: string; verbs: string[]; shortNames?: string[] }[]).find(
      (r) => r.name === 'componentstatuses',
    );
    assert.deepEqual(cs?.verbs, ['get', 'list']);
    assert.deepEqual(cs?.shortNames, ['cs']);
    const authn = await call('GET', '/apis/authentication.k8s.io');
    assert.deepEqual((authn.body['preferredVersion'] as { version: string }).version, 'v1');
    const jwks = await call('GET', '/openid/v1/jwks');
    assert.equal((jwks.body['keys'] as { alg: string }[])[0]?.alg, 'RS256');
  });
});
