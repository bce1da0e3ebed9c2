import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CertificateSigningRequest } from '../../src/client/objects.js';
import { csrExpiry } from '../../src/controllers/csrcleaner/csr-cleaner.js';

const HOUR = 3600_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const csr = (conditions: { type: string; lastUpdateTime: string }[] = []): CertificateSigningRequest => ({
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  metadata: { name: 'x', uid: 'u', resourceVersion: '1', creationTimestamp: new Date(t0).toISOString() },
  spec: { request: '', signerName: 'kubernetes.io/kube-apiserver-client', usages: [] },
  status: { conditions: conditions.map((c) => ({ ...c, status: 'True' })) },
});

describe('CSR cleaner', () => {
  it('keeps pending requests for a day and decided ones for an hour', () => {
    assert.equal(csrExpiry(csr(), t0 + 23 * HOUR), undefined);
    assert.match(csrExpiry(csr(), t0 + 25 * HOUR) ?? '', /pending/);
    const approved = csr([{ type: 'Approved', lastUpdateTime: new Date(t0 + HOUR).toISOString() }]);
    assert.equal(csrExpiry(approved, t0 + 1.5 * HOUR), undefined);
    assert.match(csrExpiry(approved, t0 + 2.5 * HOUR) ?? '', /approved/);
    const denied = csr([{ type: 'Denied', lastUpdateTime: new Date(t0).toISOString() }]);
    assert.match(csrExpiry(denied, t0 + 2 * HOUR) ?? '', /denied/);
  });
});
