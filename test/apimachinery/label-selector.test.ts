import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStatusError } from '../../src/apimachinery/errors.js';
import {
  everything,
  labelKeyErrors,
  labelValueErrors,
  nothing,
  parseLabelSelector,
  selectorFromLabelSelector,
  selectorFromOptionalLabelSelector,
  selectorFromSet,
} from '../../src/apimachinery/labels/index.js';

const KEY_NAME_ERROR =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_ERROR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/** Asserts a 400 BadRequest StatusError with exactly this message. */
function assertBadRequest(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err, 'BadRequest'), `expected a BadRequest StatusError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.message, message);
    return true;
  });
}

describe('parseLabelSelector', () => {
  test('the empty selector selects everything', () => {
    for (const s of ['', '   ']) {
      const sel = parseLabelSelector(s);
      assert.ok(sel.empty());
      assert.ok(sel.matches({ any: 'thing' }));
      assert.ok(sel.matches(undefined));
      assert.equal(sel.toString(), '');
    }
  });

  test('equality operators', () => {
    const eq = parseLabelSelector('app=web');
    assert.ok(eq.matches({ app: 'web', tier: 'x' }));
    assert.ok(!eq.matches({ app: 'db' }));
    assert.ok(!eq.matches({}));
    assert.ok(!eq.matches(undefined));
    assert.ok(parseLabelSelector('app==web').matches({ app: 'web' }));
    const ne = parseLabelSelector('app!=web');
    assert.ok(ne.matches({ app: 'db' }));
    assert.ok(ne.matches({}), 'a missing label is not equal');
    assert.ok(!ne.matches({ app: 'web' }));
  });

  test('set-based operators and existence', () => {
    const inSel = parseLabelSelector('env in (prod,staging)');
    assert.ok(inSel.matches({ env: 'prod' }));
    assert.ok(inSel.matches({ env: 'staging' }));
    assert.ok(!inSel.matches({ env: 'dev' }));
    assert.ok(!inSel.matches({}));
    const notIn = parseLabelSelector('env notin (prod)');
    assert.ok(notIn.matches({ env: 'dev' }));
    assert.ok(notIn.matches({}), 'notin matches objects without the label');
    assert.ok(!notIn.matches({ env: 'prod' }));
    assert.ok(parseLabelSelector('env').matches({ env: '' }));
    assert.ok(!parseLabelSelector('env').matches({}));
    assert.ok(parseLabelSelector('!env').matches({}));
    assert.ok(!parseLabelSelector('!env').matches({ env: 'x' }));
  });

  test('commas AND the requirements', () => {
    const sel = parseLabelSelector('app=web,env in (prod),!canary');
    assert.ok(sel.matches({ app: 'web', env: 'prod' }));
    assert.ok(!sel.matches({ app: 'web', env: 'prod', canary: 'true' }));
    assert.ok(!sel.matches({ app: 'web', env: 'dev' }));
  });

  test('greater-than and less-than compare integers', () => {
    const gt = parseLabelSelector('gen>5');
    assert.ok(gt.matches({ gen: '6' }));
    assert.ok(!gt.matches({ gen: '5' }));
    assert.ok(!gt.matches({ gen: 'x' }));
    assert.ok(!gt.matches({}));
    assert.ok(parseLabelSelector('gen<5').matches({ gen: '4' }));
    assert.equal(parseLabelSelector('gen>5').toString(), 'gen>5');
  });

  test('whitespace is tolerated and the string form is canonical (sorted by key)', () => {
    const sel = parseLabelSelector('  tier  in ( b , a ) ,  app = web , !canary,env ');
    assert.equal(sel.toString(), 'app=web,!canary,env,tier in (a,b)');
    assert.equal(parseLabelSelector('a==b').toString(), 'a==b');
    assert.equal(parseLabelSelector('a!=b').toString(), 'a!=b');
    assert.equal(parseLabelSelector('a notin (z,y)').toString(), 'a notin (y,z)');
  });

  test('empty values in sets, and keywords used as keys and values', () => {
    const sel = parseLabelSelector('x in (foo,,baz),y,z notin ()');
    assert.equal(sel.toString(), 'x in (,baz,foo),y,z notin ()');
    assert.ok(sel.matches({ x: '', y: 'a' }));
    assert.ok(!sel.matches({ x: '', y: 'a', z: '' }));
    assert.ok(parseLabelSelector('a=').matches({ a: '' }));
    assert.equal(parseLabelSelector('in in (in,notin)').toString(), 'in in (in,notin)');
  });

  test('prefixed keys', () => {
    const sel = parseLabelSelector('app.kubernetes.io/name=web');
    assert.ok(sel.matches({ 'app.kubernetes.io/name': 'web' }));
    assert.equal(sel.requiresExactMatch('app.kubernetes.io/name'), 'web');
    assert.equal(sel.requiresExactMatch('other'), undefined);
  });

  test('syntax errors are 400 BadRequest with kube-apiserver messages', () => {
    const cases: [string, string][] = [
      ['a in', "unable to parse requirement: found '' expected: '('"],
      ['a in b', "unable to parse requirement: found 'b' expected: '('"],
      ['a in (', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
      ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['a in (b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
      ['a in (b,', "unable to parse requirement: found '', expected: ',', or identifier"],
      ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
      ['a!', "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"],
      ['a=(b)', "unable to parse requirement: found '(', expected: identifier"],
      ['!', "unable to parse requirement: found '', expected: identifier"],
      ['a,', "found '', expected: identifier after ','"],
      [',a', "found ',', expected: !, identifier, or 'end of string'"],
      ['a=b=c', "found '=', expected: ',' or 'end of string'"],
      ['a=b c', "found 'c', expected: ',' or 'end of string'"],
      ['!a=b', "found '=', expected: ',' or 'end of string'"],
      ['a!==b', "unable to parse requirement: found '=', expected: identifier"],
    ];
    for (const [input, message] of cases) assertBadRequest(() => parseLabelSelector(input), message);
  });

  test('invalid keys and values are reported like field.Invalid errors', () => {
    assertBadRequest(
      () => parseLabelSelector('a_=b'),
      `unable to parse requirement: <nil>: Invalid value: "a_": ${KEY_NAME_ERROR}`,
    );
    assertBadRequest(
      () => parseLabelSelector('a=b_'),
      `unable to parse requirement: values[0][a]: Invalid value: "b_": ${VALUE_ERROR}`,
    );
    assertBadRequest(
      () => parseLabelSelector('a in (ok,-bad)'),
      `unable to parse requirement: values[0][a]: Invalid value: "-bad": ${VALUE_ERROR}`,
    );
    const long = 'x'.repeat(64);
    assertBadRequest(
      () => parseLabelSelector(`a=${long}`),
      `unable to parse requirement: values[0][a]: Invalid value: "${long}": must be no more than 63 bytes`,
    );
    assertBadRequest(
      () => parseLabelSelector(`${long}=a`),
      `unable to parse requirement: <nil>: Invalid value: "${long}": name part must be no more than 63 bytes`,
    );
    assertBadRequest(
      () => parseLabelSelector('a>b'),
      `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
    assertBadRequest(
      () => parseLabelSelector('a"b'),
      `unable to parse requirement: <nil>: Invalid value: "a\\"b": ${KEY_NAME_ERROR}`,
    );
  });
});

describe('label key and value validation', () => {
  test('valid keys and values', () => {
    for (const k of ['a', 'A-b_c.d', 'example.com/name', 'a'.repeat(63), `${'a'.repeat(253)}/b`])
      assert.deepEqual(labelKeyErrors(k), [], k);
    for (const v of ['', 'a', 'MyValue', 'my_value', '1.2-3', 'v'.repeat(63)])
      assert.deepEqual(labelValueErrors(v), [], v);
  });

  test('prefix errors', () => {
    assert.deepEqual(labelKeyErrors('/a'), ['prefix part must be non-empty']);
    assert.deepEqual(labelKeyErrors('Example.com/a'), [
      "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    assert.deepEqual(labelKeyErrors(`${'a'.repeat(254)}/b`), ['prefix part must be no more than 253 bytes']);
  });

  test('name errors', () => {
    assert.deepEqual(labelKeyErrors('a/'), ['name part must be non-empty', KEY_NAME_ERROR]);
    assert.deepEqual(labelKeyErrors('a/b/c'), [
      "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
    assert.deepEqual(labelValueErrors('-a'), [VALUE_ERROR]);
  });
});

describe('metav1.LabelSelector', () => {
  test('null or absent selects nothing; {} selects everything', () => {
    for (const absent of [null, undefined]) {
      const sel = selectorFromLabelSelector(absent);
      assert.ok(!sel.matches({}));
      assert.ok(!sel.matches({ a: 'b' }));
      assert.ok(!sel.empty());
      assert.ok(sel.matchesNothing());
      assert.equal(sel.toString(), '');
    }
    for (const empty of [{}, { matchLabels: {}, matchExpressions: [] }, { matchLabels: null }]) {
      const sel = selectorFromLabelSelector(empty);
      assert.ok(sel.empty());
      assert.ok(!sel.matchesNothing());
      assert.ok(sel.matches({}));
      assert.ok(sel.matches({ a: 'b' }));
    }
    assert.ok(selectorFromOptionalLabelSelector(null).matches({ a: 'b' }));
    assert.ok(selectorFromOptionalLabelSelector({ matchLabels: { a: 'c' } }).matches({ a: 'c' }));
    assert.ok(everything().empty());
    assert.ok(nothing().matchesNothing());
  });

  test('matchLabels and matchExpressions', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'owner', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(sel.toString(), 'app=web,!canary,env notin (dev),owner,tier in (edge,front)');
    assert.ok(sel.matches({ app: 'web', tier: 'edge', owner: 'me' }));
    assert.ok(!sel.matches({ app: 'web', tier: 'edge', owner: 'me', env: 'dev' }));
    assert.ok(!sel.matches({ app: 'web', tier: 'edge' }));
    assert.ok(!sel.matches({ app: 'web', tier: 'back', owner: 'me' }));
    assert.ok(!sel.matches({ app: 'web', tier: 'edge', owner: 'me', canary: '' }));
    assert.ok(!sel.matches(undefined));
  });

  test('the string form parses back to the same selector', () => {
    const sel = selectorFromLabelSelector({
      matchLabels: { b: '2', a: '1' },
      matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }],
    });
    assert.equal(sel.toString(), 'a=1,b=2,c in (x,y)');
    assert.equal(parseLabelSelector(sel.toString()).toString(), sel.toString());
  });

  test('invalid selectors are 400 BadRequest with kube messages', () => {
    assertBadRequest(
      () =>
        selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }),
      '"Equals" is not a valid label selector operator',
    );
    assertBadRequest(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    );
    assertBadRequest(
      () =>
        selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
      'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    );
    assertBadRequest(
      () => selectorFromLabelSelector({ matchLabels: { 'bad key': 'v' } }),
      `key: Invalid value: "bad key": ${KEY_NAME_ERROR}`,
    );
    assertBadRequest(
      () => selectorFromLabelSelector({ matchLabels: { '-k': '-v' } }),
      `[key: Invalid value: "-k": ${KEY_NAME_ERROR}, values[0][-k]: Invalid value: "-v": ${VALUE_ERROR}]`,
    );
  });
});

test('selectorFromSet is equality on every pair; an empty set selects everything', () => {
  const sel = selectorFromSet({ b: '2', a: '1' });
  assert.equal(sel.toString(), 'a=1,b=2');
  assert.ok(sel.matches({ a: '1', b: '2', c: '3' }));
  assert.ok(!sel.matches({ a: '1' }));
  assert.ok(selectorFromSet({}).empty());
  assert.ok(selectorFromSet(undefined).matches({ x: 'y' }));
});
