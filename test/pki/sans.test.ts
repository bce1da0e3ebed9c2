import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { missingSubjectAltNames, normalizeIp, servingSubjectAltNames } from '../../src/pki/sans.js';

test('normalizeIp gives one spelling per address and rejects non-addresses', () => {
  assert.equal(normalizeIp('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(normalizeIp('FD00:0::1:2'), 'fd00::1:2');
  assert.equal(normalizeIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(normalizeIp(' 10.43.0.1 '), '10.43.0.1');
  assert.throws(() => normalizeIp('kubernetes'));
  assert.throws(() => normalizeIp('10.43.0.256'));
});

test('servingSubjectAltNames: defaults plus extra names; IP literals in hostnames count as IPs', () => {
  const sans = servingSubjectAltNames({
    hostnames: ['API.Example.test', '192.0.2.9'],
    ips: ['2001:db8::0:1'],
  });
  for (const name of ['localhost', hostname().toLowerCase(), 'kubernetes.default.svc', 'api.example.test']) {
    assert.ok(sans.dnsNames.includes(name), name);
  }
  for (const ip of ['127.0.0.1', '::1', '10.43.0.1', '192.0.2.9', '2001:db8::1'])
    assert.ok(sans.ips.includes(ip), ip);
  assert.ok(!sans.dnsNames.includes('192.0.2.9'));
  assert.ok(!sans.ips.some((ip) => ip.startsWith('fe80')), 'no IPv6 link-local addresses');
  assert.deepEqual(servingSubjectAltNames({ serviceIP: '10.96.0.1' }).ips.includes('10.43.0.1'), false);

  assert.deepEqual(missingSubjectAltNames(sans, { dnsNames: ['KUBERNETES'], ips: ['0::1'] }), {
    dnsNames: [],
    ips: [],
  });
  assert.deepEqual(missingSubjectAltNames(sans, { dnsNames: ['new.example'], ips: ['192.0.2.10'] }), {
    dnsNames: ['new.example'],
    ips: ['192.0.2.10'],
  });
});
