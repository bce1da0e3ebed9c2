import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../src/apimachinery/errors.js';
import type { JsonValue } from '../../src/apimachinery/json.js';
import { applyMergePatch } from '../../src/apimachinery/patch/index.js';

test('RFC 7386 appendix A', () => {
  const cases: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases)
    assert.deepEqual(applyMergePatch(doc, patch), want, JSON.stringify(patch));
});

test('a null or scalar patch is refused as kube refuses it (RFC 7386 A.11 and A.12 differ)', () => {
  for (const patch of [null, 'bar', 1, true]) {
    assert.throws(
      () => applyMergePatch({ a: 'foo' }, patch),
      (err: unknown) => isStatusError(err, 'BadRequest') && err.message === 'Invalid JSON Patch',
    );
  }
});

test('nested objects merge; lists are replaced; the input is not modified', () => {
  const doc = {
    metadata: { labels: { app: 'web', tier: 'front' }, finalizers: ['a', 'b'] },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
  };
  const before = structuredClone(doc);
  const out = applyMergePatch(doc, {
    metadata: { labels: { tier: null, env: 'prod' }, finalizers: ['c'] },
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } },
  });
  assert.deepEqual(out, {
    metadata: { labels: { app: 'web', env: 'prod' }, finalizers: ['c'] },
    spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } },
  });
  assert.deepEqual(doc, before);
});

test('nulls are pruned from newly set values, including objects inside lists', () => {
  assert.deepEqual(applyMergePatch({}, { a: { b: null, c: [{ d: null, e: 1 }, null] } }), {
    a: { c: [{ e: 1 }, null] },
  });
  assert.deepEqual(applyMergePatch({ a: null }, { a: { b: null, c: 1 } }), { a: { c: 1 } });
});
