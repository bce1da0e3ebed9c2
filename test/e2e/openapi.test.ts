/**
 * OpenAPI and server-side field validation against real kubectl: explain renders the generated schemas
 * (v3 for every version, v2 protobuf for 1.27's openapiv2 output), unknown fields are refused, warned
 * about or dropped as --validate asks, and the documents cache as kube-openapi's do.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { findKubectls, kubectl, ok } from '../support/kubectl.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { tempDir } from '../support/tmp.js';

const versions = findKubectls([33, 30, 27]);
let server: RunningServer;
const cache = tempDir('k8ts-openapi-cache-');

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
  cache.remove();
});

const badDeployment = (ns: string, name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: 1
  foo: bar
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: nginx
        bogus: 1
`;

for (const k of versions) {
  describe(`kubectl ${k.version}`, () => {
    const ns = `openapi-${k.version.replace('.', '-')}`;
    const run = (args: string[], input?: string) =>
      kubectl(k, server.kubeconfig, `${cache.dir}/${k.version}`, args, input);

    before(async () => {
      ok(await run(['create', 'namespace', ns]), 'create namespace');
    });

    test('explain pods shows the kind with its documented fields', async () => {
      const out = ok(await run(['explain', 'pods']), 'explain');
      assert.match(out, /KIND:\s+Pod/);
      assert.match(out, /Pod is a collection of containers that can run on a host/);
      assert.match(out, /spec\s+<PodSpec>/);
      assert.match(out, /apiVersion\s+<string>\n\s+APIVersion defines the versioned schema/);
    });

    test('explain follows fields: deployment.spec.strategy, svc.spec.ports.port', async () => {
      const strategy = ok(await run(['explain', 'deployment.spec.strategy']), 'explain strategy');
      assert.match(strategy, /GROUP:\s+apps/);
      assert.match(strategy, /rollingUpdate\s+<RollingUpdateDeployment>/);
      assert.match(strategy, /Type of deployment. Can be "Recreate" or "RollingUpdate"/);
      const port = ok(await run(['explain', 'svc.spec.ports.port']), 'explain port');
      assert.match(port, /FIELD:\s+port <integer>/);
      assert.match(port, /The port that will be exposed by this service/);
    });

    test('explain --recursive lists nested fields with required markers', async () => {
      const out = ok(await run(['explain', 'pods', '--recursive']), 'explain recursive');
      assert.match(out, /containers\s+<\[\]Container> -required-/);
      assert.match(out, /containerPort\s+<integer> -required-/);
      assert.match(out, /creationTimestamp\s+<string>/);
    });

    test('explain --api-version picks the group-version', async () => {
      const out = ok(await run(['explain', '--api-version=autoscaling/v2', 'hpa.spec']), 'explain hpa');
      assert.match(out, /KIND:\s+HorizontalPodAutoscaler/);
      assert.match(out, /VERSION:\s+v2/);
      assert.match(out, /maxReplicas\s+<integer> -required-/);
    });

    test('apply of a manifest with unknown fields is refused (Strict)', async () => {
      const r = await run(['apply', '-f', '-'], badDeployment(ns, 'strict'));
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /Error from server \(BadRequest\): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers\[0\].bogus"/,
      );
      const created = await run(['create', '-f', '-'], badDeployment(ns, 'strict'));
      assert.notEqual(created.code, 0);
      assert.match(created.stderr, /strict decoding error: unknown field "spec.foo"/);
    });

    test('--validate=warn stores the object and prints a warning per unknown field', async () => {
      const r = await run(['apply', '--validate=warn', '-f', '-'], badDeployment(ns, 'warn'));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Warning: unknown field "spec.foo"/);
      assert.match(r.stderr, /Warning: unknown field "spec.template.spec.containers\[0\].bogus"/);
      assert.match(r.stdout, /deployment.apps\/warn created/);
      // The re-apply is a strategic merge patch: unknown fields of the patched object are refused too.
      const again = await run(['apply', '-f', '-'], badDeployment(ns, 'warn'));
      assert.notEqual(again.code, 0);
      assert.match(
        again.stderr,
        /patch: Invalid value: ".*": strict decoding error: unknown field "spec.foo"/,
      );
    });

    test('--validate=false drops unknown fields silently', async () => {
      const r = await run(['create', '--validate=false', '-f', '-'], badDeployment(ns, 'ignore'));
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /Warning/);
      const spec = ok(await run(['-n', ns, 'get', 'deploy', 'ignore', '-o', 'jsonpath={.spec}']), 'get');
      assert.doesNotMatch(spec, /foo/);
    });

    test('a valid manifest applies with default validation', async () => {
      const good = badDeployment(ns, 'good').replace('  foo: bar\n', '').replace('        bogus: 1\n', '');
      assert.match(ok(await run(['apply', '-f', '-'], good), 'apply'), /deployment.apps\/good created/);
      assert.match(
        ok(await run(['apply', '-f', '-'], good), 'apply again'),
        /deployment.apps\/good unchanged/,
      );
    });

    if (k.version === '1.27')
      test('explain from the OpenAPI v2 protobuf document', async () => {
        const out = ok(
          await run(['explain', 'deployment.spec.strategy', '--output=plaintext-openapiv2']),
          'explain v2',
        );
        assert.match(out, /RESOURCE:\s+strategy <Object>/);
        assert.match(out, /rollingUpdate\s+<Object>/);
        assert.match(out, /Type of deployment/);
      });
  });
}

/** GET with the admin client certificate; no redirects followed. */
function get(path: string, headers: Record<string, string> = {}) {
  const pki = `${server.dataDir}/pki`;
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        headers,
        ca: readFileSync(`${pki}/ca.crt`),
        cert: readFileSync(`${pki}/admin.crt`),
        key: readFileSync(`${pki}/admin.key`),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('document caching', () => {
  test('index URLs carry the hash; a matching hash is immutable, a stale one redirects, ETag gives 304', async () => {
    const index = JSON.parse((await get('/openapi/v3')).body.toString()) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const url = index.paths['apis/apps/v1']?.serverRelativeURL;
    assert.match(url ?? '', /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    const doc = await get(url!);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers['cache-control'], 'public, immutable');
    assert.ok(doc.headers['expires']);
    const etag = doc.headers['etag'] as string;
    assert.equal(etag, `"${url!.split('hash=')[1]}"`);
    const body = JSON.parse(doc.body.toString()) as {
      paths: Record<
        string,
        { patch?: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': unknown } }
      >;
      components: { schemas: Record<string, unknown> };
    };
    const patch = body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    assert.deepEqual(
      patch?.parameters.map((p) => p.name),
      ['dryRun', 'fieldManager', 'fieldValidation', 'force'],
    );
    assert.ok(body.components.schemas['io.k8s.api.core.v1.PodSpec']);
    assert.equal(body.components.schemas['io.k8s.api.batch.v1.JobSpec'], undefined);

    const stale = await get('/openapi/v3/apis/apps/v1?hash=0123');
    assert.equal(stale.status, 301);
    assert.equal(stale.headers['location'], url);
    assert.equal((await get(url!, { 'if-none-match': etag })).status, 304);
    assert.equal((await get('/openapi/v3/apis/apps/v1', { accept: 'text/html' })).status, 406);
  });

  test('/openapi/v2 answers JSON and gnostic protobuf with the same ETag', async () => {
    const json = await get('/openapi/v2', { accept: 'application/json' });
    assert.equal(json.status, 200);
    const swagger = JSON.parse(json.body.toString()) as {
      swagger: string;
      definitions: Record<string, unknown>;
    };
    assert.equal(swagger.swagger, '2.0');
    assert.ok(swagger.definitions['io.k8s.api.apps.v1.Deployment']);
    const pb = await get('/openapi/v2', {
      accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.equal(pb.headers['etag'], json.headers['etag']);
    // Document.swagger (field 1, length-delimited) comes first: 0x0a, 3, "2.0".
    assert.deepEqual([...pb.body.subarray(0, 5)], [0x0a, 3, 0x32, 0x2e, 0x30]);
  });
});
