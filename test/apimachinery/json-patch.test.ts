import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isStatusError } from '../../src/apimachinery/errors.js';
import type { JsonValue } from '../../src/apimachinery/json.js';
import { applyJsonPatch, parsePatchBody, REJECTED_MESSAGE } from '../../src/apimachinery/patch/index.js';

function assertRejected(doc: JsonValue, patch: JsonValue): void {
  assert.throws(
    () => applyJsonPatch(doc, patch),
    (err: unknown) => {
      assert.ok(isStatusError(err, 'Invalid'), String(err));
      assert.equal(err.code, 422);
      assert.equal(err.message, REJECTED_MESSAGE);
      assert.deepEqual(err.toStatus().details, {});
      return true;
    },
  );
}

function assertStatus(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err), String(err));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe('RFC 6902 appendix A', () => {
  test('A.1 adding an object member', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), {
      baz: 'qux',
      foo: 'bar',
    });
  });

  test('A.2 adding an array element', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), {
      foo: ['bar', 'qux', 'baz'],
    });
  });

  test('A.3 removing an object member', () => {
    assert.deepEqual(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), {
      foo: 'bar',
    });
  });

  test('A.4 removing an array element', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), {
      foo: ['bar', 'baz'],
    });
  });

  test('A.5 replacing a value', () => {
    assert.deepEqual(
      applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]),
      { baz: 'boo', foo: 'bar' },
    );
  });

  test('A.6 moving a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]), {
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
  });

  test('A.7 moving an array element', () => {
    assert.deepEqual(
      applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [
        { op: 'move', from: '/foo/1', path: '/foo/3' },
      ]),
      { foo: ['all', 'cows', 'eat', 'grass'] },
    );
  });

  test('A.8 testing a value: success', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    const patch = [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ];
    assert.deepEqual(applyJsonPatch(doc, patch), doc);
  });

  test('A.9 testing a value: error', () => {
    assertRejected({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]);
  });

  test('A.10 adding a nested member object', () => {
    assert.deepEqual(
      applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]),
      {
        foo: 'bar',
        child: { grandchild: {} },
      },
    );
  });

  test('A.11 ignoring unrecognized elements', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }]), {
      foo: 'bar',
      baz: 'qux',
    });
  });

  test('A.12 adding to a nonexistent target', () => {
    assertRejected({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]);
  });

  // A.13 (an operation object with two "op" members) cannot be expressed once the body is parsed:
  // JSON.parse, like Go's decoder in kube-apiserver, keeps the last member.

  test('A.14 ~ escape ordering', () => {
    const doc = { '/': 9, '~1': 10 };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/~01', value: 10 }]), doc);
  });

  test('A.15 comparing strings and numbers', () => {
    assertRejected({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]);
  });

  test('A.16 adding an array value', () => {
    assert.deepEqual(
      applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]),
      {
        foo: ['bar', ['abc', 'def']],
      },
    );
  });
});

describe('JSON Patch as kube-apiserver applies it', () => {
  const pod = {
    metadata: { name: 'p', labels: { app: 'web' } },
    spec: { containers: [{ name: 'a' }, { name: 'b' }] },
  };

  test('does not modify its inputs', () => {
    const doc = structuredClone(pod);
    const value = { k: 'v' };
    const out = applyJsonPatch(doc, [{ op: 'add', path: '/metadata/annotations', value }]) as typeof pod & {
      metadata: { annotations: { k: string } };
    };
    assert.deepEqual(doc, pod);
    out.metadata.annotations.k = 'changed';
    assert.equal(value.k, 'v');
  });

  test('~1 escapes slashes in keys', () => {
    const out = applyJsonPatch(pod, [
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' },
      { op: 'remove', path: '/metadata/labels/app' },
    ]);
    assert.deepEqual((out as typeof pod).metadata.labels, { 'app.kubernetes.io/name': 'web' });
  });

  test('arrays: append with -, insert at length, negative indices count from the end', () => {
    const doc = { l: [1, 2, 3] };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/l/3', value: 4 }]), { l: [1, 2, 3, 4] });
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'remove', path: '/l/-1' }]), { l: [1, 2] });
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'replace', path: '/l/-3', value: 0 }]), { l: [0, 2, 3] });
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/l/-1', value: 9 }]), { l: [1, 2, 3, 9] });
    assertRejected(doc, [{ op: 'add', path: '/l/5', value: 0 }]);
    assertRejected(doc, [{ op: 'remove', path: '/l/3' }]);
    assertRejected(doc, [{ op: 'replace', path: '/l/x', value: 0 }]);
    assertRejected(doc, [{ op: 'remove', path: '/l/-4' }]);
  });

  test('replace of a missing member adds it; remove of one fails', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), { a: 1, b: 2 });
    assertRejected({ a: 1 }, [{ op: 'remove', path: '/b' }]);
    assertRejected({ a: 1 }, [{ op: 'replace', path: '/x/y', value: 2 }]);
  });

  test('copy deep-copies; move removes the source', () => {
    const out = applyJsonPatch({ a: { b: [1] } }, [
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'add', path: '/c/b/-', value: 2 },
      { op: 'move', from: '/a/b', path: '/d' },
    ]);
    assert.deepEqual(out, { a: {}, c: { b: [1, 2] }, d: [1] });
    assertRejected({ a: 1 }, [{ op: 'move', from: '/missing', path: '/b' }]);
    assertRejected({ a: 1 }, [{ op: 'move', from: '/a', path: '/a/b' }]);
  });

  test('test compares structurally and treats null like a missing member', () => {
    const doc = { a: { x: 1, y: [1, { z: null }] }, n: null };
    assert.deepEqual(
      applyJsonPatch(doc, [{ op: 'test', path: '/a', value: { y: [1, { z: null }], x: 1 } }]),
      doc,
    );
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/n', value: null }]), doc);
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/missing', value: null }]), doc);
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '', value: doc }]), doc);
    assertRejected(doc, [{ op: 'test', path: '/a/y', value: [1] }]);
    assertRejected(doc, [{ op: 'test', path: '/missing', value: 0 }]);
  });

  test('the whole document can be replaced or tested, not added or removed', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assertRejected({ a: 1 }, [{ op: 'replace', path: '', value: 'x' }]);
    assertRejected({ a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }]);
    assertRejected({ a: 1 }, [{ op: 'remove', path: '' }]);
  });

  test('a failing operation leaves nothing applied', () => {
    const doc = { a: 1 };
    assertRejected(doc, [
      { op: 'add', path: '/b', value: 2 },
      { op: 'test', path: '/a', value: 2 },
    ]);
    assert.deepEqual(doc, { a: 1 });
  });

  test('operations that cannot apply are 422 with the fixed message', () => {
    assertRejected({}, [{ op: 'frobnicate', path: '/a' }]);
    assertRejected({}, [{ path: '/a', value: 1 }]);
    assertRejected({}, [null]);
    assertRejected({}, [{ op: 'add', value: 1 }]);
    assertRejected({}, [{ op: 'add', path: 1, value: 1 }]);
    assertRejected({}, [{ op: 'copy', path: '/b' }]);
  });

  test('the 422 keeps the reason as its cause, for logs', () => {
    try {
      applyJsonPatch({}, [{ op: 'remove', path: '/nope' }]);
      assert.fail('expected an error');
    } catch (err) {
      assert.match(String((err as Error).cause), /nonexistent key: nope/);
    }
  });

  test('malformed patch documents are 400 with Go decoding messages', () => {
    assertStatus(
      () => applyJsonPatch({}, { op: 'add' }),
      400,
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
    assertStatus(
      () => applyJsonPatch({}, 'x'),
      400,
      'json: cannot unmarshal string into Go value of type jsonpatch.Patch',
    );
    assertStatus(
      () => applyJsonPatch({}, [{ op: 'test', path: '/a' }, 5]),
      400,
      'json: cannot unmarshal number into Go value of type jsonpatch.Operation',
    );
    assert.deepEqual(applyJsonPatch({ a: 1 }, null), { a: 1 });
  });

  test('more than 10000 operations is 413', () => {
    const ops = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/a', value: 1 }));
    assertStatus(
      () => applyJsonPatch({ a: 1 }, ops),
      413,
      'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
  });

  test('copies are limited to 3 MiB in total', () => {
    const big = 'x'.repeat(1024 * 1024);
    const ops = [1, 2, 3, 4].map((i) => ({ op: 'copy', from: '/big', path: `/c${i}` }));
    assertRejected({ big }, ops);
    assert.equal(Object.keys(applyJsonPatch({ big }, ops.slice(0, 2)) as object).length, 3);
  });

  test('an unparsable body is 400 invalid JSON patch', () => {
    assertStatus(() => parsePatchBody('[{"op":'), 400, 'invalid JSON patch');
    assert.deepEqual(parsePatchBody('[]'), []);
  });
});
