import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Quantity,
  QUANTITY_FORMAT_MESSAGE,
  quantityErrors,
  resourceList,
} from '../../src/apimachinery/quantity.js';

describe('Quantity', () => {
  it('parses the suffix forms into milli-units', () => {
    const cases: [string | number, bigint][] = [
      ['500m', 500n],
      ['2', 2000n],
      ['0.5', 500n],
      ['.5', 500n],
      ['1.5Gi', 1536n * 1024n * 1024n * 1000n],
      ['1Ki', 1024_000n],
      ['1k', 1_000_000n],
      ['1M', 1_000_000_000n],
      ['1e3', 1_000_000n],
      ['1E-3', 1n],
      ['100n', 1n], // rounds up to one milli
      ['-1', -1000n],
      [3, 3000n],
      ['128974848', 128974848000n],
    ];
    for (const [input, milli] of cases) assert.equal(Quantity.parse(input).milli, milli, String(input));
  });

  it('refuses malformed quantities with Kubernetes text', () => {
    for (const bad of ['', 'abc', '1Gb', '1.2.3', 'Gi', '1 Gi']) {
      assert.equal(Quantity.tryParse(bad), undefined, bad);
      assert.throws(() => Quantity.parse(bad), { message: QUANTITY_FORMAT_MESSAGE });
    }
    assert.equal(quantityErrors('x', 'spec.hard.cpu').length, 1);
    assert.equal(quantityErrors('1', 'spec.hard.cpu').length, 0);
  });

  it('compares, adds and prints', () => {
    const a = Quantity.parse('250m');
    const b = Quantity.parse('1');
    assert.equal(a.add(b).toString(), '1250m');
    assert.equal(b.sub(a).cmp(Quantity.parse('750m')), 0);
    assert.equal(Quantity.parse('2Gi').toString(true), '2Gi');
    assert.equal(Quantity.parse('2000').toString(), '2k');
    assert.equal(Quantity.parse('1500m').value(), 2n);
    assert.equal(Quantity.zero().toString(), '0');
    const list = resourceList({ cpu: '2', memory: '1Gi', bad: 'x' });
    assert.deepEqual([...list.keys()], ['cpu', 'memory']);
  });
});
