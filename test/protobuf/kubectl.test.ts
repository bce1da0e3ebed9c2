/**
 * Against the real kubectl (skipped when kubectl >= 1.32 or openssl is not on PATH): the protobuf body
 * of `kubectl create X --dry-run=server` must decode to exactly the JSON `kubectl create X
 * --dry-run=client -o json` prints for the same object.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeKubernetesProtobuf, isProtobufContentType } from '../../src/apimachinery/protobuf/index.js';
import { haveOpenssl, kubectlMinor, startKubectlEnv, storedCsr, type KubectlEnv } from './kubectl-harness.js';

const minor = kubectlMinor();
const skip =
  minor === undefined || minor < 32 ? 'kubectl >= 1.32 is not on PATH' : haveOpenssl() ? false : 'no openssl';

/**
 * Types from before Kubernetes 1.34 write the zero `metadata.creationTimestamp` as null; newer ones
 * (whose facts the schema follows) omit it. Nothing else is normalized.
 */
function dropNullCreationTimestamps(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNullCreationTimestamps);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'creationTimestamp' && x === null) continue;
      out[k] = dropNullCreationTimestamps(x);
    }
    return out;
  }
  return v;
}

const creates: string[][] = [
  ['deployment', 'web', '--image=nginx', '--replicas=3', '--port=80'],
  ['deployment', 'multi', '--image=nginx', '--image=redis:7', '--replicas=0'],
  ['namespace', 'team-a'],
  ['configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two', '--from-file=blob.bin'],
  ['secret', 'generic', 's1', '--from-literal=password=hunter2', '--type=Opaque'],
  ['secret', 'tls', 'tls1', '--cert=tls.crt', '--key=tls.key'],
  [
    'secret',
    'docker-registry',
    'reg',
    '--docker-server=r.example',
    '--docker-username=u',
    '--docker-password=p',
  ],
  ['serviceaccount', 'sa1'],
  ['service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https'],
  ['service', 'clusterip', 'headless', '--clusterip=None'],
  ['service', 'nodeport', 'svc2', '--tcp=80:8080', '--node-port=30080'],
  ['service', 'loadbalancer', 'svc3', '--tcp=443:8443'],
  ['service', 'externalname', 'svc4', '--external-name=example.com'],
  ['job', 'job1', '--image=busybox', '--', 'echo', 'hi'],
  ['cronjob', 'cj1', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'],
  ['role', 'r1', '--verb=get,list', '--resource=pods', '--resource-name=p1'],
  ['rolebinding', 'rb1', '--role=r1', '--user=alice', '--serviceaccount=default:sa1'],
  ['clusterrole', 'cr1', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz'],
  ['clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate=true'],
  ['clusterrolebinding', 'crb1', '--clusterrole=view', '--group=devs'],
  ['quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=BestEffort'],
  ['priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'],
  ['poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%'],
  ['poddisruptionbudget', 'pdb2', '--selector=app=web', '--max-unavailable=1'],
  [
    'ingress',
    'ing1',
    '--class=nginx',
    '--rule=example.com/path*=svc1:80',
    '--rule=tls.example.com/=svc1:http,tls=s',
  ],
];

describe('real kubectl protobuf bodies', { skip }, () => {
  let env: KubectlEnv;
  before(async () => {
    env = await startKubectlEnv();
    writeFileSync(join(env.dir, 'blob.bin'), Uint8Array.of(0, 0xff, 0xfe, 0x80, 1, 2));
  });
  after(async () => env?.close());

  /** Runs kubectl and returns the decoded protobuf body of the one write it made. */
  async function bodyOf(args: string[]): Promise<Record<string, unknown>> {
    const from = env.captured.length;
    const r = await env.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    const writes = env.captured.slice(from).filter((c) => c.method !== 'GET');
    assert.equal(writes.length, 1, `one write from kubectl ${args.join(' ')}`);
    const w = writes[0]!;
    assert.ok(isProtobufContentType(w.contentType), `protobuf body, got ${w.contentType}`);
    return decodeKubernetesProtobuf(w.body).object;
  }

  /** Flags go before a `--` that starts the container command. */
  const withFlags = (args: string[], ...flags: string[]): string[] => {
    const dash = args.indexOf('--');
    return dash < 0 ? [...args, ...flags] : [...args.slice(0, dash), ...flags, ...args.slice(dash)];
  };

  for (const args of creates) {
    test(`kubectl create ${args.join(' ')}`, async () => {
      const decoded = await bodyOf(['create', ...withFlags(args, '--dry-run=server')]);
      const client = await env.kubectl(['create', ...withFlags(args, '--dry-run=client', '-o', 'json')]);
      assert.equal(client.code, 0, client.stderr);
      assert.deepEqual(decoded, dropNullCreationTimestamps(JSON.parse(client.stdout)));
    });
  }

  test('kubectl create token', async () => {
    const body = await bodyOf([
      'create',
      'token',
      'sa1',
      '--duration=1h',
      '--audience=api',
      '--audience=vault',
    ]);
    assert.deepEqual(body, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      spec: { audiences: ['api', 'vault'], expirationSeconds: 3600, boundObjectRef: null },
      status: { token: '', expirationTimestamp: null },
    });
  });

  test('kubectl auth can-i', async () => {
    const body = await bodyOf(['auth', 'can-i', 'list', 'pods', '-n', 'team-a']);
    assert.deepEqual(body, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } },
      status: { allowed: false },
    });
  });

  test('kubectl auth whoami', async () => {
    const body = await bodyOf(['auth', 'whoami']);
    assert.deepEqual(body, {
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      status: { userInfo: {} },
    });
  });

  test('kubectl certificate approve', async () => {
    const started = Math.floor(Date.now() / 1000);
    const body = await bodyOf(['certificate', 'approve', 'csr1']);
    const status = body['status'] as { conditions: { lastUpdateTime: string }[] };
    const when = status.conditions[0]?.lastUpdateTime ?? '';
    assert.match(when, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(when) / 1000 >= started - 1);
    assert.deepEqual(body, {
      ...storedCsr,
      status: {
        conditions: [
          {
            type: 'Approved',
            status: 'True',
            reason: 'KubectlApprove',
            message: 'This CSR was approved by kubectl certificate approve.',
            lastUpdateTime: when,
            lastTransitionTime: null,
          },
        ],
      },
    });
  });
});
