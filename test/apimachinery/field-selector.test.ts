import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError } from '../../src/apimachinery/errors.js';
import {
  escapeFieldValue,
  fieldLabelNotSupported,
  matchesFields,
  parseFieldSelector,
  selectorFields,
  unescapeFieldValue,
  unknownFieldSelector,
  unsupportedField,
} from '../../src/apimachinery/fields/index.js';

function assertBadRequest(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err, 'BadRequest'), String(err));
    assert.equal(err.code, 400);
    assert.equal(err.message, message);
    return true;
  });
}

test('equality and inequality, ANDed by commas', () => {
  const sel = parseFieldSelector('metadata.name=web,status.phase!=Failed');
  assert.ok(matchesFields(sel, { 'metadata.name': 'web', 'status.phase': 'Running' }));
  assert.ok(!matchesFields(sel, { 'metadata.name': 'web', 'status.phase': 'Failed' }));
  assert.ok(!matchesFields(sel, { 'metadata.name': 'db', 'status.phase': 'Running' }));
  assert.ok(sel.matches({ 'metadata.name': 'web', 'status.phase': '' }));
  assert.ok(matchesFields(parseFieldSelector('a==b'), { a: 'b' }));
});

test('a field the object lacks compares as the empty string', () => {
  assert.ok(matchesFields(parseFieldSelector('spec.nodeName='), {}));
  assert.ok(!matchesFields(parseFieldSelector('spec.nodeName!='), {}));
  assert.ok(matchesFields(parseFieldSelector('spec.nodeName!=n1'), {}));
});

test('empty selectors and empty terms', () => {
  const sel = parseFieldSelector('');
  assert.ok(sel.empty());
  assert.ok(matchesFields(sel, { a: 'b' }));
  assert.equal(parseFieldSelector('a=b,,c=d').requirements.length, 2);
});

test('terms are sorted and printed canonically, with values escaped', () => {
  const sel = parseFieldSelector('spec.nodeName==n1,metadata.name=a\\,b\\=c\\\\d');
  assert.deepEqual(sel.requirements, [
    { field: 'metadata.name', operator: '=', value: 'a,b=c\\d' },
    { field: 'spec.nodeName', operator: '=', value: 'n1' },
  ]);
  assert.equal(sel.toString(), 'metadata.name=a\\,b\\=c\\\\d,spec.nodeName=n1');
  assert.equal(sel.requiresExactMatch('spec.nodeName'), 'n1');
  assert.equal(parseFieldSelector('a!=b').requiresExactMatch('a'), undefined);
});

test('escaping round-trips', () => {
  for (const v of ['', 'plain', 'a,b', 'a=b', 'back\\slash', '\\,=']) {
    assert.deepEqual(unescapeFieldValue(escapeFieldValue(v)), { value: v });
    assert.ok(matchesFields(parseFieldSelector(`f=${escapeFieldValue(v)}`), { f: v }));
  }
});

test('whitespace is part of the field and value, as in kube', () => {
  const sel = parseFieldSelector('a = b');
  assert.deepEqual(sel.requirements, [{ field: 'a ', operator: '=', value: ' b' }]);
});

test('bad selectors are 400 BadRequest with kube messages', () => {
  assertBadRequest(() => parseFieldSelector('abc'), "invalid selector: 'abc'; can't understand 'abc'");
  assertBadRequest(() => parseFieldSelector('a=b,c'), "invalid selector: 'a=b,c'; can't understand 'c'");
  assertBadRequest(
    () => parseFieldSelector('a=b=c'),
    'invalid field selector: unescaped character in value: 61',
  );
  assertBadRequest(() => parseFieldSelector('a=\\x'), 'invalid field selector: invalid escape sequence: \\x');
  assertBadRequest(() => parseFieldSelector('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
  assertBadRequest(
    () => parseFieldSelector('a=b\\,c=d'),
    'invalid field selector: unescaped character in value: 61',
  );
});

test('unsupported fields', () => {
  const sel = parseFieldSelector('metadata.name=a,spec.foo=b,spec.bar!=c');
  assert.deepEqual(selectorFields(sel), ['metadata.name', 'spec.bar', 'spec.foo']);
  assert.equal(unsupportedField(sel, new Set(['metadata.name', 'spec.bar', 'spec.foo'])), undefined);
  assert.equal(unsupportedField(sel, new Set(['metadata.name'])), 'spec.bar');
  const err = fieldLabelNotSupported('spec.bar');
  assert.equal(err.code, 400);
  assert.equal(err.reason, 'BadRequest');
  assert.equal(err.message, 'field label not supported: spec.bar');
  assert.equal(
    unknownFieldSelector('spec.x').message,
    '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
});
