/** Pod IPs of a simulated node, and the duration flags' parser. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PodAddressPool } from '../../src/agent/simulated/pod-ips.js';
import { parseDuration } from '../../src/util/duration.js';

describe('PodAddressPool', () => {
  it('hands out .2 … .254 of a /24, one per pod, round-robin, and takes them back', () => {
    const pool = new PodAddressPool('10.42.3.0/24');
    assert.equal(pool.size, 253);
    assert.equal(pool.allocate('a'), '10.42.3.2');
    assert.equal(pool.allocate('b'), '10.42.3.3');
    assert.equal(pool.allocate('a'), '10.42.3.2', 'a pod keeps its address');
    pool.release('a');
    assert.equal(pool.allocate('c'), '10.42.3.4', 'a freed address is not reused at once');
    const more = Array.from({ length: 251 }, (_, i) => pool.allocate(`p${i}`));
    assert.equal(more.filter(Boolean).length, 251);
    assert.ok(more.includes('10.42.3.254') && more.includes('10.42.3.2'));
    assert.equal(pool.allocate('one-too-many'), undefined);
    assert.equal(pool.rangeText, '10.42.3.2-10.42.3.254');
  });

  it('keeps the addresses pods already have after a restart', () => {
    const pool = new PodAddressPool('10.42.3.0/24');
    assert.ok(pool.reserve('a', '10.42.3.7'));
    assert.equal(pool.reserve('b', '10.42.3.7'), false, 'taken');
    assert.equal(pool.reserve('b', '10.42.4.7'), false, 'not in the range');
    assert.equal(pool.reserve('b', '10.42.3.1'), false, 'the gateway');
    assert.equal(pool.allocate('a'), '10.42.3.7');
    assert.equal(pool.allocated, 1);
  });
});

describe('parseDuration', () => {
  it('reads Go durations and bare seconds', () => {
    assert.equal(parseDuration('40s'), 40_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('12'), 12_000);
    assert.equal(parseDuration('forty'), undefined);
    assert.equal(parseDuration('5 m'), undefined);
  });
});
