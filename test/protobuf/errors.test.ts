import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import { isStatusError } from '../../src/apimachinery/errors.js';
import { decodeMessage, goDuration } from '../../src/apimachinery/protobuf/decode.js';
import { decodeKubernetesProtobuf, isProtobufContentType } from '../../src/apimachinery/protobuf/index.js';
import { bytes, cat, envelope, int32, int64, msg, str } from './encode.js';

const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

function rejects(body: Uint8Array, reason: 'BadRequest' | 'UnsupportedMediaType', code: number): void {
  assert.throws(
    () => decodeKubernetesProtobuf(body),
    (err: unknown) => isStatusError(err, reason) && err.code === code,
  );
}

test('a body without the k8s\\0 prefix is a 400', () => {
  rejects(Buffer.from('{"kind":"Namespace"}'), 'BadRequest', 400);
  rejects(new Uint8Array(0), 'BadRequest', 400);
});

test('kinds the schema does not cover are a 415', () => {
  rejects(envelope('v1', 'Frobnicator', new Uint8Array(0)), 'UnsupportedMediaType', 415);
  rejects(envelope('apps/v1', 'Namespace', new Uint8Array(0)), 'UnsupportedMediaType', 415);
  rejects(envelope('example.com/v1', 'Widget', new Uint8Array(0)), 'UnsupportedMediaType', 415);
  rejects(envelope('constructor', 'toString', new Uint8Array(0)), 'UnsupportedMediaType', 415);
  rejects(envelope('v1', '__proto__', new Uint8Array(0)), 'UnsupportedMediaType', 415);
  const gzipped = cat(
    MAGIC,
    msg(1, str(1, 'v1'), str(2, 'Namespace')),
    bytes(2, Uint8Array.of(1)),
    str(3, 'gzip'),
  );
  rejects(gzipped, 'UnsupportedMediaType', 415);
});

test('malformed bytes are a 400', () => {
  // Every cut inside the typeMeta or raw field truncates a length-delimited value.
  const head = cat(MAGIC, msg(1, str(1, 'v1'), str(2, 'Namespace')));
  const ok = cat(head, bytes(2, msg(1, str(1, 'a'))));
  assert.doesNotThrow(() => decodeKubernetesProtobuf(ok));
  for (let cut = 5; cut < ok.length; cut++) {
    if (cut !== head.length) rejects(ok.subarray(0, cut), 'BadRequest', 400);
  }
  // No kind, no apiVersion.
  rejects(cat(MAGIC, msg(1, str(1, 'v1'))), 'BadRequest', 400);
  rejects(cat(MAGIC, msg(1, str(2, 'Namespace'))), 'BadRequest', 400);
  // metadata sent as a varint.
  rejects(envelope('v1', 'Namespace', int32(1, 5)), 'BadRequest', 400);
  // A varint running past ten bytes.
  rejects(
    envelope('v1', 'Namespace', Uint8Array.of(0x08, ...new Array<number>(11).fill(0xff), 0x01)),
    'BadRequest',
    400,
  );
  // Field number 0, and wire types 6 and 7.
  rejects(envelope('v1', 'Namespace', Uint8Array.of(0x02, 0x00)), 'BadRequest', 400);
  rejects(envelope('v1', 'Namespace', Uint8Array.of(0x0e)), 'BadRequest', 400);
  rejects(envelope('v1', 'Namespace', Uint8Array.of(0x0f)), 'BadRequest', 400);
  // An end-group with no start.
  rejects(envelope('v1', 'Namespace', Uint8Array.of(0x0c)), 'BadRequest', 400);
});

test('values Go would refuse are a 400', () => {
  // IntOrString type 2.
  const pdb = (ios: Uint8Array) => envelope('policy/v1', 'PodDisruptionBudget', msg(2, msg(1, ios)));
  rejects(pdb(cat(int64(1, 2), int32(2, 1))), 'BadRequest', 400);
  // A Timestamp past year 9999.
  const ns = (ts: Uint8Array) => envelope('v1', 'Namespace', msg(1, msg(9, ts)));
  rejects(ns(int64(1, 253402300800)), 'BadRequest', 400);
  // RawExtension bytes that are neither JSON nor an envelope; an embedded envelope of an unknown kind.
  const rev = (raw: Uint8Array) => envelope('apps/v1', 'ControllerRevision', msg(2, bytes(1, raw)));
  rejects(rev(Buffer.from('{not json')), 'BadRequest', 400);
  rejects(rev(envelope('v1', 'Frobnicator', new Uint8Array(0))), 'BadRequest', 400);
});

test('embedded envelopes nest only so deep', () => {
  let body = envelope('v1', 'ConfigMap', new Uint8Array(0));
  for (let i = 0; i < 20; i++) body = envelope('apps/v1', 'ControllerRevision', msg(2, bytes(1, body)));
  rejects(body, 'BadRequest', 400);
});

test('isProtobufContentType', () => {
  assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf'));
  assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf; charset=binary'));
  assert.ok(isProtobufContentType('Application/Vnd.Kubernetes.Protobuf'));
  assert.ok(!isProtobufContentType('application/json'));
  assert.ok(!isProtobufContentType(undefined));
});

test('special types: Time, Duration, Quantity, IntOrString', () => {
  assert.equal(decodeMessage('Time', new Uint8Array(0)), null);
  assert.equal(decodeMessage('Time', int64(1, -62135596800)), null, "Go's zero time");
  assert.equal(decodeMessage('Time', cat(int64(1, 0), int32(2, 5))), '1970-01-01T00:00:00Z');
  assert.equal(
    decodeMessage('Time', cat(int64(1, 1704164645), int32(2, 999_999_999))),
    '2024-01-02T03:04:05Z',
  );
  assert.equal(decodeMessage('Time', int64(1, -1)), '1969-12-31T23:59:59Z');
  assert.equal(
    decodeMessage('MicroTime', cat(int64(1, 1704164645), int32(2, 1_500))),
    '2024-01-02T03:04:05.000001Z',
  );
  // Negative nanos borrow from the seconds, as time.Unix does.
  assert.equal(
    decodeMessage('MicroTime', cat(int64(1, 1704164645), int32(2, -1_000))),
    '2024-01-02T03:04:04.999999Z',
  );
  assert.equal(decodeMessage('Duration', int64(1, 3_600_000_000_000)), '1h0m0s');
  assert.equal(decodeMessage('Duration', new Uint8Array(0)), '0s');
  assert.equal(decodeMessage('Quantity', new Uint8Array(0)), '0');
  assert.equal(decodeMessage('Quantity', str(1, '250m')), '250m');
  assert.equal(decodeMessage('IntOrString', new Uint8Array(0)), 0);
  assert.equal(decodeMessage('IntOrString', cat(int64(1, 1))), '');
  assert.equal(decodeMessage('IntOrString', cat(int64(1, 0), int32(2, -3))), -3);
});

test('goDuration formats like time.Duration.String', () => {
  const cases: [bigint, string][] = [
    [0n, '0s'],
    [1n, '1ns'],
    [999n, '999ns'],
    [1_500n, '1.5µs'],
    [1_500_000n, '1.5ms'],
    [1_000_000_000n, '1s'],
    [1_500_000_000n, '1.5s'],
    [90_000_000_000n, '1m30s'],
    [3_600_000_000_000n, '1h0m0s'],
    [93_784_005_000_000n, '26h3m4.005s'],
    [-120_000_000_000n, '-2m0s'],
    [-1n, '-1ns'],
  ];
  for (const [ns, want] of cases) assert.equal(goDuration(ns), want, `${ns}ns`);
});
