import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { compactVerify, importJWK } from 'jose';
import type { StoredObject } from '../../src/apimachinery/meta.js';
import {
  ServiceAccountTokens,
  TokenInvalid,
  authenticateServiceAccountToken,
  keyIdOf,
} from '../../src/apiserver/authn/service-account-token.js';
import type { ObjectGetter } from '../../src/apiserver/authn/service-account-token.js';
import { generateRsa2048KeyPair } from '../../src/pki/keys.js';

let tokens: ServiceAccountTokens;
let publicKeyPem: string;

before(async () => {
  const pair = await generateRsa2048KeyPair();
  publicKeyPem = pair.publicKeyPem;
  tokens = new ServiceAccountTokens({ privateKeyPem: pair.privateKeyPem });
});

const obj = (name: string, uid: string, extra: Partial<StoredObject['metadata']> = {}): StoredObject => ({
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name, uid, resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z', ...extra },
});

function getter(objects: Record<string, StoredObject>): ObjectGetter {
  return (resource, namespace, name) => Promise.resolve(objects[`${resource}/${namespace ?? ''}/${name}`]);
}

const decode = (token: string, part: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[part]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('service account tokens', () => {
  test('carry the claims kube-apiserver sets, signed RS256 with the key id of the public key', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const { token } = await tokens.issue({
      namespace: 'ns',
      serviceAccount: { name: 'robot', uid: 'sa-uid' },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
      expirationSeconds: 3600,
      pod: { name: 'p', uid: 'pod-uid' },
      node: { name: 'n1', uid: 'node-uid' },
      now,
    });
    const header = decode(token, 0);
    assert.equal(header['alg'], 'RS256');
    assert.equal(header['kid'], keyIdOf(createPublicKey(publicKeyPem)));
    const claims = decode(token, 1);
    const t = now.getTime() / 1000;
    assert.equal(claims['iss'], 'https://kubernetes.default.svc.cluster.local');
    assert.equal(claims['sub'], 'system:serviceaccount:ns:robot');
    assert.deepEqual(claims['aud'], ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(claims['iat'], t);
    assert.equal(claims['nbf'], t);
    assert.equal(claims['exp'], t + 3600);
    assert.match(String(claims['jti']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims['kubernetes.io'], {
      namespace: 'ns',
      serviceaccount: { name: 'robot', uid: 'sa-uid' },
      pod: { name: 'p', uid: 'pod-uid' },
      node: { name: 'n1', uid: 'node-uid' },
    });
    // Anyone holding the published JWKS can verify it.
    const jwk = (await tokens.jwks()).keys[0]!;
    assert.equal(jwk.kid, header['kid']);
    await compactVerify(token, await importJWK(jwk, 'RS256'));
  });

  test('verify: expiry, not-before, audience and signature', async () => {
    const base = {
      namespace: 'ns',
      serviceAccount: { name: 'robot', uid: 'sa-uid' },
      audiences: ['api'],
      expirationSeconds: 600,
    };
    const { token } = await tokens.issue({ ...base, now: new Date('2030-01-01T00:00:00Z') });
    await tokens.verify(token, ['api'], new Date('2030-01-01T00:05:00Z'));
    await assert.rejects(tokens.verify(token, ['api'], new Date('2030-01-01T00:11:00Z')), {
      message: 'service account token has expired',
    });
    await assert.rejects(tokens.verify(token, ['api'], new Date('2029-12-31T23:00:00Z')), {
      message: 'service account token is not valid yet',
    });
    await assert.rejects(tokens.verify(token, ['vault'], new Date('2030-01-01T00:05:00Z')), {
      message: 'token audiences ["api"] is invalid for the target audiences ["vault"]',
    });
    const other = new ServiceAccountTokens({ privateKeyPem: (await generateRsa2048KeyPair()).privateKeyPem });
    const { token: foreign } = await other.issue({ ...base, now: new Date('2030-01-01T00:00:00Z') });
    await assert.rejects(tokens.verify(foreign, ['api'], new Date('2030-01-01T00:05:00Z')), TokenInvalid);
  });

  test('authenticate: the service account and bound pod must still exist with the same uid', async () => {
    const { token } = await tokens.issue({
      namespace: 'ns',
      serviceAccount: { name: 'robot', uid: 'sa-uid' },
      audiences: tokens.apiAudiences,
      expirationSeconds: 3600,
      pod: { name: 'p', uid: 'pod-uid' },
    });
    const sa = obj('robot', 'sa-uid');
    const pod = obj('p', 'pod-uid');
    const r = await authenticateServiceAccountToken(
      tokens,
      getter({ 'serviceaccounts/ns/robot': sa, 'pods/ns/p': pod }),
      token,
    );
    assert.equal(r.user.name, 'system:serviceaccount:ns:robot');
    assert.equal(r.user.uid, 'sa-uid');
    assert.deepEqual(r.user.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:ns',
      'system:authenticated',
    ]);
    assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/pod-name'], ['p']);

    await assert.rejects(authenticateServiceAccountToken(tokens, getter({ 'pods/ns/p': pod }), token), {
      message: 'serviceaccounts "robot" not found',
    });
    await assert.rejects(
      authenticateServiceAccountToken(
        tokens,
        getter({ 'serviceaccounts/ns/robot': obj('robot', 'new-uid'), 'pods/ns/p': pod }),
        token,
      ),
      { message: 'service account UID (new-uid) does not match claim (sa-uid)' },
    );
    await assert.rejects(
      authenticateServiceAccountToken(
        tokens,
        getter({ 'serviceaccounts/ns/robot': sa, 'pods/ns/p': obj('p', 'x') }),
        token,
      ),
      { message: 'pod UID (x) does not match claim (pod-uid)' },
    );
    const longGone = obj('p', 'pod-uid', { deletionTimestamp: '2000-01-01T00:00:00Z' });
    await assert.rejects(
      authenticateServiceAccountToken(
        tokens,
        getter({ 'serviceaccounts/ns/robot': sa, 'pods/ns/p': longGone }),
        token,
      ),
      { message: 'service account token has been invalidated' },
    );
  });

  test('only tokens naming this issuer are ours', async () => {
    const { token } = await tokens.issue({
      namespace: 'ns',
      serviceAccount: { name: 'a', uid: 'u' },
      audiences: ['x'],
      expirationSeconds: 600,
    });
    assert.equal(tokens.isOurs(token), true);
    assert.equal(tokens.isOurs('abc'), false);
    const elsewhere = new ServiceAccountTokens({
      privateKeyPem: (await generateRsa2048KeyPair()).privateKeyPem,
      issuer: 'https://other.example',
    });
    assert.equal(elsewhere.isOurs(token), false);
  });
});
