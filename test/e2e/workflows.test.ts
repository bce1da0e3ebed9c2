/**
 * The kubectl workflows of the seed documents, at the object level (nothing runs yet: no controllers, no
 * kubelet), against one `k8ts server` per kubectl version: what the API stores and what kubectl prints.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fails, findKubectls, kubectl, ok } from '../support/kubectl.js';
import type { RunResult } from '../support/kubectl.js';
import { startServer } from '../support/k8ts-server.js';
import type { RunningServer } from '../support/k8ts-server.js';
import { tempDir } from '../support/tmp.js';
import {
  certbot,
  dashboardIngress,
  mongoApp,
  quotas,
  secretReader,
  storage,
  workloads,
} from './seed-manifests.js';

const versions = findKubectls([33, 30, 27]);

/** The header of a kubectl table, split into column names. */
function header(out: string): string[] {
  return (out.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}

/** The row of a kubectl table whose first cell is `name`, split into cells. */
function row(out: string, name: string): string[] {
  const line = out.split('\n').find((l) => l.split(/\s+/)[0] === name);
  assert.ok(line, `no row ${name} in\n${out}`);
  return line.trim().split(/\s{2,}/);
}

/** The default `kubectl get` columns of each kind, as Kubernetes 1.32's server-side printers define them. */
const COLUMNS: Record<string, string[]> = {
  deployments: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
  services: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  secrets: ['NAME', 'TYPE', 'DATA', 'AGE'],
  configmaps: ['NAME', 'DATA', 'AGE'],
  jobs: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
  cronjobs: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
  daemonsets: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
  statefulsets: ['NAME', 'READY', 'AGE'],
  serviceaccounts: ['NAME', 'SECRETS', 'AGE'],
  roles: ['NAME', 'CREATED AT'],
  rolebindings: ['NAME', 'ROLE', 'AGE'],
  clusterroles: ['NAME', 'CREATED AT'],
  clusterrolebindings: ['NAME', 'ROLE', 'AGE'],
  resourcequotas: ['NAME', 'AGE', 'REQUEST', 'LIMIT'],
  limitranges: ['NAME', 'CREATED AT'],
  ingresses: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
  ingressclasses: ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
  persistentvolumeclaims: [
    'NAME',
    'STATUS',
    'VOLUME',
    'CAPACITY',
    'ACCESS MODES',
    'STORAGECLASS',
    'VOLUMEATTRIBUTESCLASS',
    'AGE',
  ],
  persistentvolumes: [
    'NAME',
    'CAPACITY',
    'ACCESS MODES',
    'RECLAIM POLICY',
    'STATUS',
    'CLAIM',
    'STORAGECLASS',
    'VOLUMEATTRIBUTESCLASS',
    'REASON',
    'AGE',
  ],
  storageclasses: [
    'NAME',
    'PROVISIONER',
    'RECLAIMPOLICY',
    'VOLUMEBINDINGMODE',
    'ALLOWVOLUMEEXPANSION',
    'AGE',
  ],
  priorityclasses: ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'],
  namespaces: ['NAME', 'STATUS', 'AGE'],
};

for (const k of versions) {
  describe(`seed workflows with kubectl ${k.version}`, () => {
    let server: RunningServer;
    const tmp = tempDir('k8ts-workflows-');
    const ns = 'devteam1';
    const sfx = k.version.replace('.', '-');
    const run = (args: string[], input?: string, env?: Record<string, string>) =>
      kubectl(k, server.kubeconfig, `${tmp.dir}/cache`, args, input, env);
    const inNs = (args: string[], input?: string) => run(['-n', ns, ...args], input);
    const validate: string[] = [];
    const apply = (yaml: string) => run(['apply', ...validate, '-f', '-'], yaml);

    before(async () => {
      // The API server alone: no controller or scheduler changes the objects these tests look at.
      server = await startServer(['--disable-controller-manager', '--disable-scheduler']);
    });
    after(async () => {
      await server?.stop();
      tmp.remove();
    });

    test('apply -f of the seed manifests creates every object; re-apply is unchanged', async () => {
      ok(await run(['create', 'namespace', ns]), 'create namespace');
      const all = [
        mongoApp(ns),
        certbot(ns),
        secretReader(sfx),
        dashboardIngress(ns, sfx),
        storage(ns, sfx),
        quotas(ns),
        workloads(ns),
      ].join('---\n');
      const out = ok(await apply(all), 'apply');
      for (const line of [
        'secret/mongodb-secret created',
        'configmap/mongodb-configmap created',
        'deployment.apps/mongodb-deployment created',
        'service/mongodb-service created',
        'service/certbot-lb created',
        'job.batch/certbot created',
        `clusterrole.rbac.authorization.k8s.io/secret-reader-${sfx} created`,
        `clusterrolebinding.rbac.authorization.k8s.io/secret-reader-${sfx} created`,
        `ingressclass.networking.k8s.io/nginx-${sfx} created`,
        'ingress.networking.k8s.io/dashboard-ingress created',
        `storageclass.storage.k8s.io/my-storage-class-${sfx} created`,
        `persistentvolume/pv-${sfx} created`,
        'persistentvolumeclaim/gluster-pvc created',
        'resourcequota/compute-resources created',
        'limitrange/mem-limit-range created',
        'cronjob.batch/renew created',
        'daemonset.apps/node-agent created',
        'statefulset.apps/db created',
        'serviceaccount/k8s-example1 created',
        'role.rbac.authorization.k8s.io/pod-reader created',
        'rolebinding.rbac.authorization.k8s.io/read-pods created',
      ])
        assert.ok(out.split('\n').includes(line), `${line} missing in\n${out}`);
      const again = ok(await apply(mongoApp(ns)), 're-apply');
      assert.match(again, /deployment.apps\/mongodb-deployment unchanged/);
      assert.match(again, /secret\/mongodb-secret unchanged/);
    });

    test('get prints each kind with the columns Kubernetes prints', async () => {
      const kinds = Object.keys(COLUMNS);
      const outs = await Promise.all(kinds.map((r) => inNs(['get', r])));
      kinds.forEach((r, i) => assert.deepEqual(header(ok(outs[i]!, `get ${r}`)), COLUMNS[r], r));
      const out = Object.fromEntries(kinds.map((r, i) => [r, outs[i]!.stdout]));
      assert.deepEqual(row(out['deployments']!, 'mongodb-deployment').slice(0, 4), [
        'mongodb-deployment',
        '0/1',
        '0',
        '0',
      ]);
      assert.deepEqual(row(out['secrets']!, 'mongodb-secret').slice(0, 3), ['mongodb-secret', 'Opaque', '2']);
      assert.deepEqual(row(out['configmaps']!, 'mongodb-configmap').slice(0, 2), ['mongodb-configmap', '1']);
      const lb = row(out['services']!, 'certbot-lb');
      assert.equal(lb[1], 'LoadBalancer');
      assert.equal(lb[3], '<pending>');
      assert.match(lb[4]!, /^80(:\d+)?\/TCP,443(:\d+)?\/TCP$/);
      assert.deepEqual(row(out['jobs']!, 'certbot').slice(0, 3), ['certbot', 'Running', '0/1']);
      assert.deepEqual(row(out['cronjobs']!, 'renew').slice(0, 6), [
        'renew',
        '0 3 * * *',
        '<none>',
        'False',
        '0',
        '<none>',
      ]);
      assert.deepEqual(row(out['daemonsets']!, 'node-agent').slice(0, 7), [
        'node-agent',
        '0',
        '0',
        '0',
        '0',
        '0',
        'kubernetes.io/os=linux',
      ]);
      assert.deepEqual(row(out['statefulsets']!, 'db').slice(0, 2), ['db', '0/2']);
      assert.deepEqual(row(out['rolebindings']!, 'read-pods').slice(0, 2), ['read-pods', 'Role/pod-reader']);
      assert.deepEqual(row(out['clusterrolebindings']!, `secret-reader-${sfx}`).slice(0, 2), [
        `secret-reader-${sfx}`,
        `ClusterRole/secret-reader-${sfx}`,
      ]);
      const quota = row(out['resourcequotas']!, 'compute-resources');
      assert.match(quota[2]!, /^pods: 0\/4, requests.cpu: 0\/1, requests.memory: 0\/1Gi$/);
      assert.equal(quota[3], 'limits.cpu: 0/2, limits.memory: 0/2Gi');
      assert.deepEqual(row(out['ingresses']!, 'dashboard-ingress').slice(0, 3), [
        'dashboard-ingress',
        `nginx-${sfx}`,
        'dashboard.com',
      ]);
      assert.deepEqual(row(out['ingressclasses']!, `nginx-${sfx}`).slice(0, 3), [
        `nginx-${sfx}`,
        'k8s.io/ingress-nginx',
        '<none>',
      ]);
      assert.deepEqual(row(out['persistentvolumeclaims']!, 'gluster-pvc').slice(0, 2), [
        'gluster-pvc',
        'Pending',
      ]);
      assert.deepEqual(row(out['persistentvolumes']!, `pv-${sfx}`).slice(0, 5), [
        `pv-${sfx}`,
        '5Gi',
        'RWO',
        'Retain',
        'Pending', // the registry's initial phase; the PV controller (not built yet) makes it Available
      ]);
      assert.deepEqual(row(out['storageclasses']!, `my-storage-class-${sfx}`).slice(0, 5), [
        `my-storage-class-${sfx}`,
        'kubernetes.io/azure-disk',
        'Delete',
        'Immediate',
        'false',
      ]);
      assert.deepEqual(row(out['namespaces']!, ns).slice(0, 2), [ns, 'Active']);
    });

    test('get -o yaml|json|wide|name|jsonpath|custom-columns, get all', async () => {
      const [yaml, json, wide, names, jp, cc, all, svcWide] = await Promise.all([
        inNs(['get', 'deploy', 'mongodb-deployment', '-o', 'yaml']),
        inNs(['get', 'secret', 'mongodb-secret', '-o', 'json']),
        inNs(['get', 'deploy', '-o', 'wide']),
        inNs(['get', 'cm,secret,sa', '-o', 'name']),
        inNs([
          'get',
          'deploy',
          'mongodb-deployment',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.key}',
        ]),
        inNs(['get', 'cm', '-o', 'custom-columns=NAME:.metadata.name,URL:.data.database_url']),
        inNs(['get', 'all']),
        inNs(['get', 'svc', '-o', 'wide']),
      ]);
      const y = ok(yaml, 'yaml');
      assert.match(y, /^apiVersion: apps\/v1$/m);
      assert.match(y, /^kind: Deployment$/m);
      assert.match(y, /^ {4}kubectl.kubernetes.io\/last-applied-configuration: \|$/m);
      assert.match(y, /^ {2}uid: [0-9a-f-]{36}$/m);
      assert.match(
        y,
        /^ {2}strategy:\n {4}rollingUpdate:\n {6}maxSurge: 25%\n {6}maxUnavailable: 25%\n {4}type: RollingUpdate$/m,
      );
      const secret = JSON.parse(ok(json, 'json')) as { data: Record<string, string> };
      assert.equal(Buffer.from(secret.data['mongo-root-password']!, 'base64').toString(), 'password');
      const w = ok(wide, 'wide');
      assert.deepEqual(header(w), [...COLUMNS['deployments']!, 'CONTAINERS', 'IMAGES', 'SELECTOR']);
      assert.deepEqual(row(w, 'mongodb-deployment').slice(5), ['mongodb', 'mongo', 'app=mongodb']);
      assert.deepEqual(header(ok(svcWide, 'svc wide')), [...COLUMNS['services']!, 'SELECTOR']);
      assert.equal(row(svcWide.stdout, 'mongodb-service')[6], 'app=mongodb');
      const listed = ok(names, 'name').trim().split('\n');
      for (const n of ['configmap/mongodb-configmap', 'secret/mongodb-secret', 'serviceaccount/k8s-example1'])
        assert.ok(listed.includes(n), `${n} in\n${listed.join('\n')}`);
      assert.equal(ok(jp, 'jsonpath'), 'mongo-root-password');
      const c = ok(cc, 'custom-columns');
      assert.deepEqual(header(c), ['NAME', 'URL']);
      assert.deepEqual(row(c, 'mongodb-configmap'), ['mongodb-configmap', 'mongodb-service']);
      const a = ok(all, 'get all');
      for (const n of [
        'service/mongodb-service',
        'service/certbot-lb',
        'deployment.apps/mongodb-deployment',
        'daemonset.apps/node-agent',
        'statefulset.apps/db',
        'job.batch/certbot',
        'cronjob.batch/renew',
      ])
        assert.match(a, new RegExp(`^${n.replace('.', '\\.')}\\s`, 'm'), `${n} in get all:\n${a}`);
      assert.doesNotMatch(a, /configmap|secret\/|ingress/);
    });

    test('describe prints the key lines', async () => {
      const [deploy, svc, secret, cm, ns_] = await Promise.all([
        inNs(['describe', 'deployment', 'mongodb-deployment']),
        inNs(['describe', 'service', 'mongodb-service']),
        inNs(['describe', 'secret', 'mongodb-secret']),
        inNs(['describe', 'configmap', 'mongodb-configmap']),
        run(['describe', 'namespace', ns]),
      ]);
      const d = ok(deploy, 'describe deploy');
      assert.match(d, /^Name:\s+mongodb-deployment$/m);
      assert.match(d, new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
      assert.match(d, /^Selector:\s+app=mongodb$/m);
      assert.match(d, /^Replicas:\s+1 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
      assert.match(d, /^StrategyType:\s+RollingUpdate$/m);
      assert.match(d, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
      assert.match(d, /^\s+Image:\s+mongo$/m);
      assert.match(
        d,
        /MONGO_INITDB_ROOT_USERNAME:\s+<set to the key 'mongo-root-username' in secret 'mongodb-secret'>/,
      );
      const s = ok(svc, 'describe svc');
      assert.match(s, /^Type:\s+ClusterIP$/m);
      assert.match(s, /^Port:\s+<unset>\s+27017\/TCP$/m);
      assert.match(s, /^TargetPort:\s+27017\/TCP$/m);
      assert.match(s, /^Selector:\s+app=mongodb$/m);
      const sec = ok(secret, 'describe secret');
      assert.match(sec, /^Type:\s+Opaque$/m);
      assert.match(sec, /^mongo-root-password:\s+8 bytes$/m);
      assert.match(sec, /^mongo-root-username:\s+8 bytes$/m);
      const c = ok(cm, 'describe cm');
      assert.match(c, /^database_url:\n----\nmongodb-service$/m);
      const n = ok(ns_, 'describe ns');
      assert.match(n, /^Status:\s+Active$/m);
      // No quota controller yet, so status.hard/used (what describe lists) are empty.
      assert.match(n, /^Resource Quotas\n\s+Name:\s+compute-resources$/m);
      assert.match(n, /^\s+Container\s+memory\s+-\s+-\s+256Mi\s+512Mi\s+-$/m);
    });

    test('edit through $EDITOR, scale, label, annotate', async () => {
      const editor = `${tmp.dir}/editor.sh`;
      writeFileSync(
        editor,
        '#!/bin/sh\nsed -i -e "s/database_url: mongodb-service/database_url: mongodb-svc/" "$1"\n',
      );
      chmodSync(editor, 0o755);
      const edited = await run(['-n', ns, 'edit', ...validate, 'cm', 'mongodb-configmap'], undefined, {
        EDITOR: editor,
        KUBE_EDITOR: editor,
      });
      assert.match(ok(edited, 'edit'), /configmap\/mongodb-configmap edited/);
      assert.equal(
        ok(await inNs(['get', 'cm', 'mongodb-configmap', '-o', 'jsonpath={.data.database_url}']), 'get'),
        'mongodb-svc',
      );
      // An editor that changes nothing: kubectl reports the edit as cancelled.
      const unchanged = await run(['-n', ns, 'edit', ...validate, 'cm', 'mongodb-configmap'], undefined, {
        EDITOR: 'true',
        KUBE_EDITOR: 'true',
      });
      assert.match(unchanged.stdout + unchanged.stderr, /Edit cancelled, no changes made./);

      const [scaledDeploy, scaledSts] = await Promise.all([
        inNs(['scale', 'deployment', 'mongodb-deployment', '--replicas=3']),
        inNs(['scale', 'statefulset', 'db', '--replicas=5']),
      ]);
      assert.match(ok(scaledDeploy, 'scale deploy'), /deployment.apps\/mongodb-deployment scaled/);
      assert.match(ok(scaledSts, 'scale sts'), /statefulset.apps\/db scaled/);
      const stale = await inNs([
        'scale',
        'deploy',
        'mongodb-deployment',
        '--current-replicas=2',
        '--replicas=4',
      ]);
      assert.match(
        fails(stale, 'scale with a wrong --current-replicas'),
        /error: Expected replicas to be 2, was 3/,
      );
      assert.match(
        ok(
          await inNs(['scale', 'deploy', 'mongodb-deployment', '--current-replicas=3', '--replicas=4']),
          'scale',
        ),
        /scaled/,
      );
      assert.equal(
        ok(
          await inNs(['get', 'deploy,sts', '-o', 'jsonpath={range .items[*]}{.spec.replicas} {end}']),
          'replicas',
        ),
        '4 5 ',
      );

      assert.match(ok(await inNs(['label', 'deploy', 'mongodb-deployment', 'tier=db']), 'label'), /labeled/);
      const clash = await inNs(['label', 'deploy', 'mongodb-deployment', 'tier=backend']);
      assert.match(
        fails(clash, 'label without --overwrite'),
        /error: 'tier' already has a value \(db\), and --overwrite is false/,
      );
      ok(await inNs(['label', 'deploy', 'mongodb-deployment', 'tier=backend', '--overwrite']), 'overwrite');
      assert.equal(
        ok(await inNs(['get', 'deploy', '-l', 'tier=backend', '-o', 'name']), 'get -l').trim(),
        'deployment.apps/mongodb-deployment',
      );
      ok(await inNs(['label', 'deploy', 'mongodb-deployment', 'tier-']), 'remove label');
      assert.equal(ok(await inNs(['get', 'deploy', '-l', 'tier', '-o', 'name']), 'get -l tier').trim(), '');

      ok(await inNs(['annotate', 'svc', 'mongodb-service', 'owner=team-a']), 'annotate');
      const aclash = await inNs(['annotate', 'svc', 'mongodb-service', 'owner=team-b']);
      assert.match(fails(aclash, 'annotate without --overwrite'), /--overwrite is false/);
      ok(await inNs(['annotate', 'svc', 'mongodb-service', 'owner=team-b', '--overwrite']), 'overwrite');
      assert.equal(
        ok(
          await inNs(['get', 'svc', 'mongodb-service', '-o', 'jsonpath={.metadata.annotations.owner}']),
          'get',
        ),
        'team-b',
      );
      ok(await inNs(['annotate', 'svc', 'mongodb-service', 'owner-']), 'remove annotation');
      assert.equal(
        ok(
          await inNs(['get', 'svc', 'mongodb-service', '-o', 'jsonpath={.metadata.annotations.owner}']),
          'get',
        ),
        '',
      );
      // Labels on many objects at once, by selector.
      ok(await inNs(['label', 'cm,secret', '--all', 'seed=mongo']), 'label --all');
      assert.equal(
        ok(await inNs(['get', 'cm,secret', '-l', 'seed=mongo', '-o', 'name']), 'get -l')
          .trim()
          .split('\n').length,
        names(await inNs(['get', 'cm,secret', '-o', 'name'])).length,
      );
    });

    test('patch: strategic merge keeps list items by name, merge replaces, json edits paths', async () => {
      ok(
        await inNs([
          'patch',
          'deploy',
          'mongodb-deployment',
          '-p',
          '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}',
        ]),
        'strategic',
      );
      assert.equal(
        ok(
          await inNs([
            'get',
            'deploy',
            'mongodb-deployment',
            '-o',
            'jsonpath={.spec.template.spec.containers[*].name}',
          ]),
          'get',
        ),
        'sidecar mongodb',
      );
      ok(
        await inNs([
          'patch',
          'deploy',
          'mongodb-deployment',
          '--type=strategic',
          '-p',
          '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}',
        ]),
        'strategic delete',
      );
      ok(await inNs(['patch', 'job', 'certbot', '--type=merge', '-p', '{"spec":{"suspend":true}}']), 'merge');
      ok(
        await inNs([
          'patch',
          'cronjob',
          'renew',
          '--type=json',
          '-p',
          '[{"op":"replace","path":"/spec/schedule","value":"*/5 * * * *"},{"op":"add","path":"/metadata/labels","value":{"job":"renew"}}]',
        ]),
        'json',
      );
      const [containers, suspend, cron] = await Promise.all([
        inNs([
          'get',
          'deploy',
          'mongodb-deployment',
          '-o',
          'jsonpath={.spec.template.spec.containers[*].name}',
        ]),
        inNs(['get', 'job', 'certbot', '-o', 'jsonpath={.spec.suspend}']),
        inNs(['get', 'cronjob', '-l', 'job=renew', '-o', 'jsonpath={.items[0].spec.schedule}']),
      ]);
      assert.equal(ok(containers, 'containers'), 'mongodb');
      assert.equal(ok(suspend, 'suspend'), 'true');
      assert.equal(ok(cron, 'schedule'), '*/5 * * * *');
      const noop = await inNs(['patch', 'job', 'certbot', '--type=merge', '-p', '{"spec":{"suspend":true}}']);
      assert.match(ok(noop, 'no-op patch'), /job.batch\/certbot patched \(no change\)/);
      const badJson = await inNs([
        'patch',
        'cm',
        'mongodb-configmap',
        '--type=json',
        '-p',
        '[{"op":"remove","path":"/data/nope"}]',
      ]);
      assert.equal(
        fails(badJson, 'json patch of a missing path').trim(),
        'The request is invalid: the server rejected our request due to an error in our request',
      );
    });

    test('create subcommands', async () => {
      const cert = `${tmp.dir}/tls`;
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=dashboard.com',
          '-keyout',
          `${cert}.key`,
          '-out',
          `${cert}.crt`,
        ],
        { stdio: 'ignore' },
      );
      writeFileSync(`${tmp.dir}/app.properties`, 'mode=prod\nlevel=3\n');
      const results = await Promise.all([
        inNs([
          'create',
          'secret',
          'generic',
          'db-user-pass',
          '--from-literal=username=admin',
          '--from-literal=password=1f2d1e2e67df',
        ]),
        inNs(['create', 'secret', 'tls', 'dashboard-tls', `--cert=${cert}.crt`, `--key=${cert}.key`]),
        inNs([
          'create',
          'configmap',
          'app-config',
          '--from-literal=mode=dev',
          `--from-file=${tmp.dir}/app.properties`,
        ]),
        run(['create', 'namespace', `scratch-${sfx}`]),
        inNs([
          'create',
          'deployment',
          'kubernetes-bootcamp',
          '--image=gcr.io/google-samples/kubernetes-bootcamp:v1',
          '--replicas=2',
        ]),
        inNs(['create', 'serviceaccount', 'builder']),
        inNs(['create', 'job', 'pi', '--image=perl', '--', 'perl', '-e', 'print 1']),
        inNs(['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=0 1 * * *', '--', 'date']),
        inNs(['create', 'role', 'cm-editor', '--verb=get,list,update', '--resource=configmaps']),
        inNs(['create', 'rolebinding', 'builder-cm', '--role=cm-editor', `--serviceaccount=${ns}:builder`]),
        run(['create', 'clusterrole', `node-viewer-${sfx}`, '--verb=get,list,watch', '--resource=nodes']),
        inNs(['create', 'quota', 'object-counts', '--hard=configmaps=10,secrets=20']),
        inNs(['create', 'ingress', 'simple', '--rule=foo.com/bar=svc1:8080,tls=dashboard-tls']),
        run(['create', 'priorityclass', `high-${sfx}`, '--value=1000', '--description=high priority']),
      ]);
      const expected = [
        'secret/db-user-pass created',
        'secret/dashboard-tls created',
        'configmap/app-config created',
        `namespace/scratch-${sfx} created`,
        'deployment.apps/kubernetes-bootcamp created',
        'serviceaccount/builder created',
        'job.batch/pi created',
        'cronjob.batch/nightly created',
        'role.rbac.authorization.k8s.io/cm-editor created',
        'rolebinding.rbac.authorization.k8s.io/builder-cm created',
        `clusterrole.rbac.authorization.k8s.io/node-viewer-${sfx} created`,
        'resourcequota/object-counts created',
        'ingress.networking.k8s.io/simple created',
        `priorityclass.scheduling.k8s.io/high-${sfx} created`,
      ];
      results.forEach((r, i) => assert.equal(ok(r, expected[i]!).trim(), expected[i]));
      const [tls, cm, dep, job, role, rb, ing, pc, quota, secrets] = await Promise.all([
        inNs(['get', 'secret', 'dashboard-tls', '-o', 'json']),
        inNs(['get', 'cm', 'app-config', '-o', 'json']),
        inNs([
          'get',
          'deploy',
          'kubernetes-bootcamp',
          '-o',
          'jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].name}',
        ]),
        inNs([
          'get',
          'job',
          'pi',
          '-o',
          'jsonpath={.spec.template.spec.containers[0].command} {.spec.template.spec.restartPolicy}',
        ]),
        inNs(['get', 'role', 'cm-editor', '-o', 'jsonpath={.rules[0].verbs} {.rules[0].resources}']),
        inNs(['get', 'rolebinding', 'builder-cm', '-o', 'wide']),
        inNs(['get', 'ingress', 'simple']),
        run(['get', 'priorityclass', `high-${sfx}`]),
        inNs(['get', 'quota', 'object-counts']),
        inNs(['get', 'secrets']),
      ]);
      const t = JSON.parse(ok(tls, 'tls')) as { type: string; data: Record<string, string> };
      assert.equal(t.type, 'kubernetes.io/tls');
      assert.match(Buffer.from(t.data['tls.crt']!, 'base64').toString(), /^-----BEGIN CERTIFICATE-----/);
      assert.match(
        Buffer.from(t.data['tls.key']!, 'base64').toString(),
        /^-----BEGIN (RSA )?PRIVATE KEY-----/,
      );
      const c = JSON.parse(ok(cm, 'cm')) as { data: Record<string, string> };
      assert.deepEqual(c.data, { mode: 'dev', 'app.properties': 'mode=prod\nlevel=3\n' });
      assert.equal(ok(dep, 'deploy'), '2 kubernetes-bootcamp kubernetes-bootcamp');
      assert.equal(ok(job, 'job'), '["perl","-e","print 1"] Never');
      assert.equal(ok(role, 'role'), '["get","list","update"] ["configmaps"]');
      assert.deepEqual(header(ok(rb, 'rb')), ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
      assert.equal(row(rb.stdout, 'builder-cm').at(-1), `${ns}/builder`);
      // ADDRESS is empty until an ingress controller reports one.
      assert.match(ok(ing, 'ing'), /^simple\s+<none>\s+foo.com\s+80, 443\s+\S+$/m);
      assert.deepEqual(row(ok(pc, 'pc'), `high-${sfx}`).slice(0, 3), [`high-${sfx}`, '1000', 'false']);
      assert.equal(row(pc.stdout, `high-${sfx}`).at(-1), 'PreemptLowerPriority');
      assert.match(row(ok(quota, 'quota'), 'object-counts')[2]!, /^configmaps: \d+\/10, secrets: \d+\/20$/);
      assert.deepEqual(row(ok(secrets, 'secrets'), 'dashboard-tls').slice(0, 3), [
        'dashboard-tls',
        'kubernetes.io/tls',
        '2',
      ]);
    });

    test('errors carry the texts kubectl users know', async () => {
      const [missing, dupNs, missingNs, badName, badSelector] = await Promise.all([
        inNs(['get', 'deployment', 'x']),
        run(['create', 'namespace', ns]),
        apply('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orphan\n  namespace: nope\n'),
        apply(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: ${ns}\n`),
        apply(
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mismatch\n  namespace: ${ns}\nspec:\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: b}\n    spec:\n      containers: [{name: c, image: busybox}]\n`,
        ),
      ]);
      assert.equal(
        fails(missing, 'get missing').trim(),
        'Error from server (NotFound): deployments.apps "x" not found',
      );
      assert.equal(
        fails(dupNs, 'create existing namespace').trim(),
        `Error from server (AlreadyExists): namespaces "${ns}" already exists`,
      );
      assert.match(
        fails(missingNs, 'missing namespace'),
        /Error from server \(NotFound\): error when creating "STDIN": namespaces "nope" not found/,
      );
      assert.match(
        fails(badName, 'bad name'),
        /The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character \(e.g. 'example.com', regex used for validation is '\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\(\\.\[a-z0-9\]\(\[-a-z0-9\]\*\[a-z0-9\]\)\?\)\*'\)/,
      );
      assert.match(
        fails(badSelector, 'selector mismatch'),
        /The Deployment "mismatch" is invalid: spec.template.metadata.labels: Invalid value: \{"app":"b"\}: `selector` does not match template `labels`/,
      );

      // The selector of a Deployment cannot change.
      const moved = mongoApp(ns).replace(/app: mongodb/g, 'app: mongo2');
      const immutable = await apply(moved);
      assert.match(
        fails(immutable, 'selector change'),
        /The Deployment "mongodb-deployment" is invalid: spec.selector: Invalid value: .*: field is immutable/,
      );

      // A replace with a stale resourceVersion: 409 Conflict.
      const stale = ok(await inNs(['get', 'cm', 'mongodb-configmap', '-o', 'yaml']), 'get yaml');
      ok(await inNs(['label', 'cm', 'mongodb-configmap', 'touched=yes']), 'label');
      const conflict = await run(
        ['replace', ...validate, '-f', '-'],
        stale.replace('mongodb-svc', 'changed'),
      );
      assert.match(
        fails(conflict, 'stale replace'),
        /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "mongodb-configmap": the object has been modified; please apply your changes to the latest version and try again/,
      );

      // A terminating namespace takes nothing new: 403 Forbidden.
      const doomed = `doomed-${sfx}`;
      ok(await run(['create', 'namespace', doomed]), 'create doomed');
      // Content with a finalizer keeps the namespace controller from finishing the deletion.
      ok(
        await run(
          ['apply', '-f', '-'],
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: ${doomed}\n  finalizers: [example.com/hold]\n`,
        ),
        'create held content',
      );
      ok(await run(['delete', 'namespace', doomed, '--wait=false']), 'delete doomed');
      assert.equal(
        ok(await run(['get', 'ns', doomed, '-o', 'jsonpath={.status.phase}']), 'phase'),
        'Terminating',
      );
      const forbidden = await apply(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n  namespace: ${doomed}\n`,
      );
      assert.match(
        fails(forbidden, 'create in terminating namespace'),
        new RegExp(
          `Error from server \\(Forbidden\\): error when creating "STDIN": configmaps "late" is forbidden: unable to create new content in namespace ${doomed} because it is being terminated`,
        ),
      );
      ok(
        await run([
          '-n',
          doomed,
          'patch',
          'cm',
          'held',
          '--type=merge',
          '-p',
          '{"metadata":{"finalizers":null}}',
        ]),
        'release held content',
      );
    });

    test('get -w prints a line per change', async () => {
      const child = spawn(
        k.path,
        [
          '--kubeconfig',
          server.kubeconfig,
          '--cache-dir',
          `${tmp.dir}/cache`,
          '-n',
          ns,
          'get',
          'cm',
          'mongodb-configmap',
          '-w',
          '--output-watch-events',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: `${tmp.dir}/cache` } },
      );
      const deadline = setTimeout(() => child.kill(), 30_000);
      try {
        const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
        const next = async () => {
          const r = await lines.next();
          assert.ok(!r.done, 'watch ended early');
          return r.value;
        };
        assert.match(await next(), /^EVENT\s+NAME\s+DATA\s+AGE$/);
        assert.match(await next(), /^ADDED\s+mongodb-configmap\s+1\s+\S+$/);
        ok(
          await inNs(['patch', 'cm', 'mongodb-configmap', '--type=merge', '-p', '{"data":{"extra":"x"}}']),
          'patch',
        );
        assert.match(await next(), /^MODIFIED\s+mongodb-configmap\s+2\s+\S+$/);
        ok(await inNs(['delete', 'cm', 'mongodb-configmap']), 'delete');
        assert.match(await next(), /^DELETED\s+mongodb-configmap\s+2\s+\S+$/);
      } finally {
        clearTimeout(deadline);
        child.kill();
      }
    });

    test('delete: by name, --cascade=orphan, -l selector, --all', async () => {
      assert.match(
        ok(await inNs(['delete', 'deployment', 'kubernetes-bootcamp']), 'delete'),
        /deployment.apps "kubernetes-bootcamp" deleted/,
      );
      // Orphaning leaves the object with the orphan finalizer until the garbage collector (not running
      // in this server) releases the dependents.
      ok(await inNs(['delete', 'statefulset', 'db', '--cascade=orphan', '--wait=false']), 'orphan');
      assert.equal(
        ok(
          await inNs([
            'get',
            'sts',
            'db',
            '-o',
            'jsonpath={.metadata.finalizers} {.metadata.deletionTimestamp}',
          ]),
          'sts',
        ),
        `["orphan"] ${(await inNs(['get', 'sts', 'db', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout}`,
      );
      ok(await inNs(['label', 'secret', 'db-user-pass', 'dashboard-tls', 'purge=yes']), 'label');
      const bySelector = ok(await inNs(['delete', 'secret', '-l', 'purge=yes']), 'delete -l');
      assert.deepEqual(bySelector.trim().split('\n').sort(), [
        'secret "dashboard-tls" deleted',
        'secret "db-user-pass" deleted',
      ]);
      const cms = names(await inNs(['get', 'cm', '-o', 'name']));
      const gone = ok(await inNs(['delete', 'cm', '--all']), 'delete --all');
      assert.equal(gone.trim().split('\n').length, cms.length);
      assert.equal(ok(await inNs(['get', 'cm', '-o', 'name']), 'get cm').trim(), '');
      const none = await inNs(['get', 'cm']);
      assert.equal(none.stderr.trim(), `No resources found in ${ns} namespace.`);
      const missing = await inNs(['delete', 'cm', 'missing']);
      assert.equal(
        fails(missing, 'delete missing').trim(),
        'Error from server (NotFound): configmaps "missing" not found',
      );
      assert.equal(ok(await inNs(['delete', 'cm', 'missing', '--ignore-not-found']), 'ignore').trim(), '');
    });

    test('api-resources, api-versions, version, get --raw /readyz?verbose', async () => {
      const [namespaced, cluster, wide, apps, apiVersions, version, readyz] = await Promise.all([
        run(['api-resources', '--namespaced=true']),
        run(['api-resources', '--namespaced=false', '-o', 'name']),
        run(['api-resources', '-o', 'wide']),
        run(['api-resources', '--api-group=apps', '-o', 'name']),
        run(['api-versions']),
        run(['version']),
        run(['get', '--raw', '/readyz?verbose']),
      ]);
      const n = ok(namespaced, 'namespaced');
      assert.deepEqual(header(n), ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      assert.deepEqual(row(n, 'deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
      assert.deepEqual(row(n, 'configmaps'), ['configmaps', 'cm', 'v1', 'true', 'ConfigMap']);
      assert.doesNotMatch(n, /^namespaces\s/m);
      const c = ok(cluster, 'cluster').trim().split('\n');
      for (const r of [
        'namespaces',
        'persistentvolumes',
        'clusterroles.rbac.authorization.k8s.io',
        'priorityclasses.scheduling.k8s.io',
      ])
        assert.ok(c.includes(r), r);
      assert.ok(!c.includes('configmaps'));
      const w = ok(wide, 'wide');
      assert.deepEqual(header(w), [
        'NAME',
        'SHORTNAMES',
        'APIVERSION',
        'NAMESPACED',
        'KIND',
        'VERBS',
        'CATEGORIES',
      ]);
      assert.deepEqual(row(w, 'deployments'), [
        'deployments',
        'deploy',
        'apps/v1',
        'true',
        'Deployment',
        'create,delete,deletecollection,get,list,patch,update,watch',
        'all',
      ]);
      assert.deepEqual(ok(apps, 'apps').trim().split('\n').sort(), [
        'controllerrevisions.apps',
        'daemonsets.apps',
        'deployments.apps',
        'replicasets.apps',
        'statefulsets.apps',
      ]);
      const v = ok(apiVersions, 'api-versions').trim().split('\n');
      for (const gv of [
        'v1',
        'apps/v1',
        'batch/v1',
        'rbac.authorization.k8s.io/v1',
        'networking.k8s.io/v1',
        'storage.k8s.io/v1',
      ])
        assert.ok(v.includes(gv), gv);
      assert.deepEqual([...v].sort(), v, 'api-versions are sorted');
      // 1.27 prints the whole version.Info struct, later versions only gitVersion.
      assert.match(
        ok(version, 'version'),
        /^Server Version: (v1\.32\.0\+k8ts-|version.Info\{Major:"1", Minor:"32", GitVersion:"v1\.32\.0\+k8ts-)/m,
      );
      const r = ok(readyz, 'readyz');
      assert.match(r, /^\[\+\]ping ok$/m);
      assert.match(r, /^readyz check passed$/m);
    });
  });
}

function names(r: RunResult): string[] {
  return r.stdout.trim().split('\n').filter(Boolean);
}
