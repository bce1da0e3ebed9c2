/** The node IPAM range allocator's subnet bookkeeping (CidrSet). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CidrSet } from '../../src/controllers/nodeipam/cidr-set.js';

describe('CidrSet', () => {
  it('hands out /24s of 10.42.0.0/16 in order, never one twice', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    assert.equal(set.subnets, 256);
    const got = Array.from({ length: 256 }, () => set.allocateNext());
    assert.equal(got[0], '10.42.0.0/24');
    assert.equal(got[1], '10.42.1.0/24');
    assert.equal(got[255], '10.42.255.0/24');
    assert.equal(new Set(got).size, 256);
    assert.equal(set.allocateNext(), undefined, 'exhausted');
    assert.equal(set.allocated, 256);
  });

  it('skips subnets nodes already have (a restart), and reuses released ones only after the rest', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    assert.ok(set.occupy('10.42.0.0/24'));
    assert.ok(set.occupy('10.42.2.0/24'));
    assert.equal(set.allocateNext(), '10.42.1.0/24');
    assert.equal(set.allocateNext(), '10.42.3.0/24');
    set.release('10.42.0.0/24');
    assert.ok(!set.isTaken('10.42.0.0/24'));
    // Round-robin: the freed subnet comes back only once the search wraps around.
    assert.equal(set.allocateNext(), '10.42.4.0/24');
    assert.equal(set.allocated, 4);
  });

  it('refuses CIDRs outside the cluster CIDR; a larger block takes every subnet it covers', () => {
    const set = new CidrSet('10.42.0.0/16', 24);
    assert.equal(set.occupy('10.43.0.0/24'), false);
    assert.equal(set.occupy('not-a-cidr'), false);
    assert.ok(set.occupy('10.42.8.0/22'));
    assert.equal(set.allocated, 4);
    for (const c of ['10.42.8.0/24', '10.42.9.0/24', '10.42.10.0/24', '10.42.11.0/24'])
      assert.ok(set.isTaken(c), c);
    assert.ok(set.occupy('10.42.20.128/25'), 'a smaller block takes the subnet it lies in');
    assert.ok(set.isTaken('10.42.20.0/24'));
  });

  it('a small cluster CIDR runs out', () => {
    const set = new CidrSet('10.42.0.0/23', 24);
    assert.equal(set.allocateNext(), '10.42.0.0/24');
    assert.equal(set.allocateNext(), '10.42.1.0/24');
    assert.equal(set.allocateNext(), undefined);
    set.release('10.42.1.0/24');
    assert.equal(set.allocateNext(), '10.42.1.0/24');
  });

  it('rejects bad settings with the reason', () => {
    assert.throws(() => new CidrSet('10.42.0.0', 24), /invalid cluster CIDR/);
    assert.throws(() => new CidrSet('10.42.0.0/16', 8), /must be between 16 and 32/);
    assert.throws(() => new CidrSet('10.0.0.0/8', 28), /the node CIDR size is too big/);
  });
});
