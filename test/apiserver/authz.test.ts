import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UserInfo } from '../../src/apiserver/authn/user.js';
import {
  AuthorizerChain,
  forbiddenFor,
  mastersAuthorizer,
  publicInfoAuthorizer,
} from '../../src/apiserver/authz/chain.js';
import { grantsAuthorizer, resourceRuleAllows } from '../../src/apiserver/authz/rules.js';
import type { Attributes } from '../../src/apiserver/authz/types.js';
import { attributesFromSpec } from '../../src/apiserver/handlers/reviews.js';

const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };
const bob: UserInfo = { name: 'bob', groups: ['system:authenticated'] };
const anon: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

const chain = new AuthorizerChain([publicInfoAuthorizer, mastersAuthorizer]);

const res = (
  user: UserInfo,
  verb: string,
  resource: string,
  extra: Partial<Attributes> = {},
): Attributes => ({
  user,
  verb,
  isResourceRequest: true,
  path: '',
  namespace: '',
  group: '',
  version: 'v1',
  resource,
  subresource: '',
  name: '',
  ...extra,
});

const path = (user: UserInfo, p: string, verb = 'get'): Attributes => ({
  ...res(user, verb, ''),
  isResourceRequest: false,
  path: p,
});

describe('authorizer chain', () => {
  test('single checks', async () => {
    assert.equal((await chain.decide(res(admin, 'delete', 'nodes'))).decision, 'allow');
    assert.equal((await chain.decide(res(bob, 'list', 'pods', { namespace: 'x' }))).decision, 'no-opinion');
    assert.equal(
      (await chain.decide(res(bob, 'create', 'selfsubjectaccessreviews', { group: 'authorization.k8s.io' })))
        .decision,
      'allow',
    );
    assert.equal((await chain.decide(path(bob, '/apis/apps/v1'))).decision, 'allow');
    assert.equal((await chain.decide(path(anon, '/apis/apps/v1'))).decision, 'no-opinion');
    assert.equal((await chain.decide(path(anon, '/readyz'))).decision, 'allow');
    assert.equal((await chain.decide(path(anon, '/readyz', 'post'))).decision, 'no-opinion');
  });

  test('rules listings are what the single checks allow', async () => {
    const adminRules = await chain.rulesFor(admin, 'default');
    assert.deepEqual(adminRules.resourceRules[adminRules.resourceRules.length - 1], {
      verbs: ['*'],
      apiGroups: ['*'],
      resources: ['*'],
    });
    const bobRules = await chain.rulesFor(bob, 'default');
    assert.ok(!bobRules.resourceRules.some((r) => r.resources.includes('*')));
    assert.ok(bobRules.nonResourceRules.some((r) => r.nonResourceURLs.includes('/api/*')));
    assert.equal(bobRules.incomplete, false);
    const anonRules = await chain.rulesFor(anon, 'default');
    assert.deepEqual(anonRules.resourceRules, []);
  });

  test('RBAC-style matching of subresources and names', () => {
    const rule = { verbs: ['get'], apiGroups: [''], resources: ['pods/log'], resourceNames: ['web'] };
    assert.equal(
      resourceRuleAllows(rule, res(bob, 'get', 'pods', { subresource: 'log', name: 'web' })),
      true,
    );
    assert.equal(
      resourceRuleAllows(rule, res(bob, 'get', 'pods', { subresource: 'log', name: 'db' })),
      false,
    );
    assert.equal(resourceRuleAllows(rule, res(bob, 'get', 'pods', { name: 'web' })), false);
    const anySub = { verbs: ['*'], apiGroups: ['*'], resources: ['*/status'] };
    assert.equal(
      resourceRuleAllows(anySub, res(bob, 'update', 'deployments', { subresource: 'status' })),
      true,
    );
    assert.equal(resourceRuleAllows(anySub, res(bob, 'update', 'deployments')), false);
  });

  test('a grant says why it allowed', async () => {
    const a = grantsAuthorizer('test', [
      {
        groups: ['devs'],
        resourceRules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }],
        reason: 'devs may list pods',
      },
    ]);
    const r = await new AuthorizerChain([a]).decide(res({ name: 'c', groups: ['devs'] }, 'list', 'pods'));
    assert.deepEqual(r, { decision: 'allow', reason: 'devs may list pods' });
  });

  test('access review specs become attributes', () => {
    const a = attributesFromSpec(bob, {
      resourceAttributes: {
        namespace: 'ns',
        verb: 'get',
        group: 'apps',
        resource: 'deployments',
        subresource: 'scale',
        name: 'web',
      },
    });
    assert.deepEqual(
      { ...a, user: a.user.name },
      {
        user: 'bob',
        verb: 'get',
        isResourceRequest: true,
        path: '',
        namespace: 'ns',
        group: 'apps',
        version: '',
        resource: 'deployments',
        subresource: 'scale',
        name: 'web',
      },
    );
    const n = attributesFromSpec(bob, { nonResourceAttributes: { path: '/healthz', verb: 'get' } });
    assert.equal(n.isResourceRequest, false);
    assert.equal(n.path, '/healthz');
  });

  test('Forbidden messages', () => {
    assert.equal(
      forbiddenFor(res(bob, 'list', 'pods', { namespace: 'ns' })).message,
      'pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "ns"',
    );
    assert.equal(
      forbiddenFor(res(bob, 'impersonate', 'users', { name: 'alice', version: '' })).message,
      'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    assert.equal(
      forbiddenFor(path(bob, '/metrics')).message,
      'forbidden: User "bob" cannot get path "/metrics"',
    );
  });
});
