/**
 * Bodies the real kubectl sent (captured once, see fixtures/kubectl-bodies.ts), decoded offline, so the
 * check against real client-go encoding runs even where kubectl is not installed.
 */

import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { decodeKubernetesProtobuf } from '../../src/apimachinery/protobuf/index.js';
import { capturedBodies, kubectlVersion } from './fixtures/kubectl-bodies.js';

const csrRequest = Buffer.from(
  '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAA==\n-----END CERTIFICATE REQUEST-----\n',
).toString('base64');

/** What the commands without a client-side dry run sent, written out by hand. */
const expected: Record<string, Record<string, unknown>> = {
  'kubectl create token sa1 --duration=1h': {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: {},
    spec: { audiences: null, expirationSeconds: 3600, boundObjectRef: null },
    status: { token: '', expirationTimestamp: null },
  },
  'kubectl auth can-i list pods -n team-a': {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: {},
    spec: { resourceAttributes: { namespace: 'team-a', verb: 'list', resource: 'pods' } },
    status: { allowed: false },
  },
  'kubectl auth whoami': {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: {},
    status: { userInfo: {} },
  },
  'kubectl certificate approve csr1': {
    kind: 'CertificateSigningRequest',
    apiVersion: 'certificates.k8s.io/v1',
    metadata: { name: 'csr1', uid: '5b1c3f0e-0000-4000-8000-000000000001', resourceVersion: '7' },
    spec: {
      request: csrRequest,
      signerName: 'kubernetes.io/kube-apiserver-client',
      expirationSeconds: 86400,
      usages: ['client auth'],
      username: 'alice',
      groups: ['system:authenticated'],
    },
    status: {
      conditions: [
        {
          type: 'Approved',
          status: 'True',
          reason: 'KubectlApprove',
          message: 'This CSR was approved by kubectl certificate approve.',
          lastUpdateTime: '2026-11-21T23:55:33Z',
          lastTransitionTime: null,
        },
      ],
    },
  },
};

for (const c of capturedBodies) {
  test(`${kubectlVersion}: ${c.command}`, () => {
    const want = c.clientJson ?? expected[c.command];
    assert.ok(want, `an expectation for ${c.command}`);
    const got = decodeKubernetesProtobuf(Buffer.from(c.body, 'base64'));
    assert.equal(got.apiVersion, want['apiVersion']);
    assert.equal(got.kind, want['kind']);
    assert.deepEqual(got.object, want);
  });
}
