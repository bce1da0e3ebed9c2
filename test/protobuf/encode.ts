/**
 * Test-side protobuf encoding built on protobufjs's Writer — a code path independent of the decoder.
 * Messages are written the way go-to-protobuf writes them: a message is the concatenation of its
 * fields, and the helpers below encode one field each.
 */

import { Buffer } from 'node:buffer';
import protobuf from 'protobufjs/minimal.js';

type Bytes = Uint8Array;

const writer = (): protobuf.Writer => protobuf.Writer.create();

export const cat = (...parts: Bytes[]): Bytes => Buffer.concat(parts);

export const str = (no: number, s: string): Bytes =>
  writer()
    .uint32((no << 3) | 2)
    .string(s)
    .finish();

export const bytes = (no: number, b: Bytes): Bytes =>
  writer()
    .uint32((no << 3) | 2)
    .bytes(b)
    .finish();

/** int32 fields; negative values take the 10-byte sign-extended form, as Go writes them. */
export const int32 = (no: number, n: number): Bytes =>
  writer()
    .uint32(no << 3)
    .int32(n)
    .finish();

export const int64 = (no: number, n: number): Bytes =>
  writer()
    .uint32(no << 3)
    .int64(n)
    .finish();

export const bool = (no: number, b: boolean): Bytes =>
  writer()
    .uint32(no << 3)
    .bool(b)
    .finish();

export const msg = (no: number, ...fields: Bytes[]): Bytes => bytes(no, cat(...fields));

/** A proto2 group (wire types 3 and 4), which Kubernetes never writes: decoders must skip it. */
export const group = (no: number, ...fields: Bytes[]): Bytes =>
  cat(
    writer()
      .uint32((no << 3) | 3)
      .finish(),
    ...fields,
    writer()
      .uint32((no << 3) | 4)
      .finish(),
  );

/** A map field: one entry message (key 1, value 2) per pair. */
export const strMap = (no: number, m: Record<string, string>): Bytes =>
  cat(...Object.entries(m).map(([k, v]) => msg(no, str(1, k), str(2, v))));

export const bytesMap = (no: number, m: Record<string, Bytes>): Bytes =>
  cat(...Object.entries(m).map(([k, v]) => msg(no, str(1, k), bytes(2, v))));

/** map<string, Quantity>: the value is a Quantity message holding its string in field 1. */
export const quantityMap = (no: number, m: Record<string, string>): Bytes =>
  cat(...Object.entries(m).map(([k, v]) => msg(no, str(1, k), msg(2, str(1, v)))));

/** IntOrString: type 0 with intVal, or type 1 with strVal; Go writes all three fields. */
export const intOrString = (no: number, v: number | string): Bytes =>
  typeof v === 'number'
    ? msg(no, int64(1, 0), int32(2, v), str(3, ''))
    : msg(no, int64(1, 1), int32(2, 0), str(3, v));

/** metav1.Time: a Timestamp of whole seconds; the zero time is an empty message. */
export const time = (no: number, iso?: string): Bytes =>
  iso === undefined ? msg(no) : msg(no, int64(1, Date.parse(iso) / 1000), int32(2, 0));

/** ObjectMeta as Go writes it: every non-pointer field, empty or not, then the maps. */
export function objectMeta(
  no: number,
  m: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string> },
): Bytes {
  return msg(
    no,
    str(1, m.name ?? ''),
    str(2, m.generateName ?? ''),
    str(3, m.namespace ?? ''),
    str(4, ''),
    str(5, ''),
    str(6, ''),
    int64(7, 0),
    time(8),
    strMap(11, m.labels ?? {}),
  );
}

/** The request body: `k8s\0` and a runtime.Unknown around the object's bytes. */
export function envelope(apiVersion: string, kind: string, raw: Bytes): Bytes {
  return cat(
    Uint8Array.of(0x6b, 0x38, 0x73, 0x00),
    msg(1, str(1, apiVersion), str(2, kind)),
    bytes(2, raw),
    str(3, ''),
    str(4, ''),
  );
}
