/**
 * Schema-driven decoding of a message's protobuf bytes into the JSON that Go's encoding/json would write
 * for the same Go struct — the body kubectl would have sent had it used JSON.
 *
 * go-to-protobuf writes every non-pointer field, zero or not, and pointer fields only when set, so the
 * JSON rules are applied after reading: a non-pointer scalar with omitempty is dropped when zero, a
 * pointer is kept whenever it was on the wire, a nil slice or map without omitempty becomes `null`, and
 * a non-pointer struct is always written (omitempty never drops structs in Go; omitzero does).
 */

import { Buffer } from 'node:buffer';
import { isMap, isRepeated, SCALAR_TYPES } from './schema.js';
import type { ElementType, FieldDef, MapType, ScalarType, StructDef } from './schema.js';
import { lookupKind, lookupMessage } from './registry.js';
import { WireError, WireReader, WireType } from './wire.js';

type Json = unknown;

const EMPTY = new Uint8Array(0);

/** Nested `k8s\0` bodies inside RawExtension fields are decoded too; bound how deep. */
const MAX_EMBEDDED_DEPTH = 8;

/** The 4-byte prefix of every Kubernetes protobuf body. */
export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export const hasMagic = (b: Uint8Array): boolean =>
  b.length >= 4 && b[0] === MAGIC[0] && b[1] === MAGIC[1] && b[2] === MAGIC[2] && b[3] === MAGIC[3];

/** The envelope names a kind the schema does not cover. */
export class UnknownKindError extends Error {
  override readonly name = 'UnknownKindError';
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/**
 * Decodes `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}
 * and the object in `raw`. The object gets `apiVersion` and `kind` from the envelope, since the
 * protobuf encoding of an object never carries its TypeMeta.
 */
export function decodeEnvelope(body: Uint8Array, depth = 0): DecodedObject {
  if (!hasMagic(body)) throw new WireError('body does not start with the Kubernetes protobuf prefix k8s\\0');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = EMPTY;
  let contentEncoding = '';
  const r = new WireReader(body, 4);
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) {
      expectWire(wire, WireType.LengthDelimited, 'Unknown.typeMeta');
      const tm = new WireReader(r.bytes());
      while (!tm.done) {
        const k = tm.key();
        if (k.field === 1) apiVersion = readScalar(tm, k.wire, 'string', 'TypeMeta.apiVersion') as string;
        else if (k.field === 2) kind = readScalar(tm, k.wire, 'string', 'TypeMeta.kind') as string;
        else tm.skip(k.wire, k.field);
      }
    } else if (field === 2) raw = readScalar(r, wire, 'bytes', 'Unknown.raw') as Uint8Array;
    else if (field === 3)
      contentEncoding = readScalar(r, wire, 'string', 'Unknown.contentEncoding') as string;
    else r.skip(wire, field);
  }
  if (!kind) throw new WireError("Object 'Kind' is missing in the protobuf envelope");
  if (!apiVersion) throw new WireError("Object 'apiVersion' is missing in the protobuf envelope");
  const name = lookupKind(apiVersion, kind);
  if (name === undefined || contentEncoding !== '') {
    throw new UnknownKindError(
      contentEncoding
        ? `unsupported content encoding ${contentEncoding}`
        : `no protobuf schema for ${apiVersion}, Kind=${kind}`,
    );
  }
  const object = decodeMessage(name, raw, depth) as Record<string, unknown>;
  return { apiVersion, kind, object: { kind, apiVersion, ...object } };
}

/** Decodes the bytes of a message (or special type) named in the schema. */
export function decodeMessage(name: ElementType, bytes: Uint8Array, depth = 0): Json {
  switch (name) {
    case 'Time':
      return decodeTime(bytes, false);
    case 'MicroTime':
      return decodeTime(bytes, true);
    case 'Duration':
      return goDuration(readSingle(bytes, 1, 'int64') ?? 0n);
    case 'Quantity': {
      const s = readSingle(bytes, 1, 'string');
      return s === undefined || s === '' ? '0' : s;
    }
    case 'IntOrString':
      return decodeIntOrString(bytes);
    case 'RawExtension':
      return decodeRaw(readSingle(bytes, 1, 'bytes'), depth);
    case 'FieldsV1':
      return decodeRaw(readSingle(bytes, 1, 'bytes'), depth);
  }
  const def = lookupMessage(name);
  if (!def) throw new WireError(`no schema for message ${name}`);
  if (def.kind === 'list') {
    const items: Json[] = [];
    const r = new WireReader(bytes);
    while (!r.done) {
      const { field, wire } = r.key();
      if (field === 1) readElement(r, wire, def.item, items, depth, `${name}.items`);
      else r.skip(wire, field);
    }
    return items.length ? items : null;
  }
  return decodeStruct(def, bytes, depth);
}

/** What was read for one field: the last scalar, the bytes of every occurrence, or list/map contents. */
type Slot =
  | { kind: 'scalar'; value: ScalarValue }
  | { kind: 'message'; chunks: Uint8Array[] }
  | { kind: 'list'; items: Json[] }
  | { kind: 'map'; entries: Map<string, Json> };

type ScalarValue = string | number | boolean | bigint | Uint8Array;

function decodeStruct(def: StructDef, bytes: Uint8Array, depth: number): Record<string, Json> {
  const slots = new Map<number, Slot>();
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wire } = r.key();
    const f = def.byNumber.get(field);
    if (!f) {
      r.skip(wire, field);
      continue;
    }
    const where = `${def.name}.${f.json || (f.type as string)}`;
    const t = f.type;
    if (isMap(t)) {
      let slot = slots.get(field);
      if (slot?.kind !== 'map') slots.set(field, (slot = { kind: 'map', entries: new Map() }));
      expectWire(wire, WireType.LengthDelimited, where);
      const [k, v] = readMapEntry(r.bytes(), t, depth, where);
      slot.entries.set(k, v);
    } else if (isRepeated(t)) {
      let slot = slots.get(field);
      if (slot?.kind !== 'list') slots.set(field, (slot = { kind: 'list', items: [] }));
      readElement(r, wire, t.repeated, slot.items, depth, where);
    } else if (SCALAR_TYPES.has(t)) {
      slots.set(field, { kind: 'scalar', value: readScalar(r, wire, t as ScalarType, where) });
    } else {
      expectWire(wire, WireType.LengthDelimited, where);
      let slot = slots.get(field);
      if (slot?.kind !== 'message') slots.set(field, (slot = { kind: 'message', chunks: [] }));
      slot.chunks.push(r.bytes());
    }
  }

  const out: Record<string, Json> = {};
  for (const f of def.fields) render(out, f, slots.get(f.no), depth);
  return out;
}

function render(out: Record<string, Json>, f: FieldDef, slot: Slot | undefined, depth: number): void {
  const t = f.type;
  const absent = (): void => {
    // A nil pointer, slice or map: omitted with omitempty/omitzero, else JSON null.
    if (!f.omitEmpty && !f.omitZero) out[f.json] = null;
  };
  if (f.inline) {
    if (!slot && f.pointer) return;
    const inner = decodeMessage(t as ElementType, concat(slot), depth);
    if (inner && typeof inner === 'object') Object.assign(out, inner);
    return;
  }
  if (isRepeated(t)) {
    if (slot?.kind === 'list' && slot.items.length) out[f.json] = slot.items;
    else absent();
    return;
  }
  if (isMap(t)) {
    if (slot?.kind === 'map' && slot.entries.size) out[f.json] = Object.fromEntries(slot.entries);
    else absent();
    return;
  }
  if (t === 'bytes') {
    const v = slot?.kind === 'scalar' ? (slot.value as Uint8Array) : undefined;
    if (v === undefined) absent();
    else if (!(f.omitEmpty && v.length === 0)) out[f.json] = base64(v);
    return;
  }
  if (SCALAR_TYPES.has(t)) {
    if (slot?.kind !== 'scalar') {
      if (f.pointer) absent();
      else if (!f.omitEmpty) out[f.json] = zeroScalar(t as ScalarType);
      return;
    }
    const v = toJsonScalar(slot.value);
    if (!f.pointer && f.omitEmpty && isZeroScalar(v)) return;
    out[f.json] = v;
    return;
  }
  if (!slot && f.pointer) return absent();
  const bytes = concat(slot);
  const v = decodeMessage(t, bytes, depth);
  if (f.omitZero && !f.pointer && isZeroValue(t, v, bytes)) return;
  out[f.json] = v;
}

function readElement(
  r: WireReader,
  wire: number,
  t: ElementType,
  items: Json[],
  depth: number,
  where: string,
): void {
  if (!SCALAR_TYPES.has(t)) {
    expectWire(wire, WireType.LengthDelimited, where);
    items.push(decodeMessage(t, r.bytes(), depth));
    return;
  }
  const st = t as ScalarType;
  if (wire === WireType.LengthDelimited && st !== 'string' && st !== 'bytes') {
    // A packed run of numbers.
    const packed = new WireReader(r.bytes());
    while (!packed.done) items.push(toJsonScalar(readScalar(packed, scalarWire(st), st, where)));
    return;
  }
  items.push(toJsonScalar(readScalar(r, wire, st, where)));
}

function readMapEntry(bytes: Uint8Array, t: MapType, depth: number, where: string): [string, Json] {
  let key: ScalarValue | undefined;
  let value: Json;
  const valueBytes: Uint8Array[] = [];
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) key = readScalar(r, wire, t.mapKey, `${where} key`);
    else if (field === 2) {
      if (SCALAR_TYPES.has(t.mapValue))
        value = toJsonScalar(readScalar(r, wire, t.mapValue as ScalarType, where));
      else {
        expectWire(wire, WireType.LengthDelimited, where);
        valueBytes.push(r.bytes());
      }
    } else r.skip(wire, field);
  }
  if (!SCALAR_TYPES.has(t.mapValue)) value = decodeMessage(t.mapValue, concatChunks(valueBytes), depth);
  else if (value === undefined) value = t.mapValue === 'bytes' ? '' : zeroScalar(t.mapValue as ScalarType);
  const k = key === undefined ? zeroScalar(t.mapKey) : toJsonScalar(key);
  return [String(k), value];
}

function scalarWire(t: ScalarType): number {
  switch (t) {
    case 'double':
      return WireType.Fixed64;
    case 'float':
      return WireType.Fixed32;
    case 'string':
    case 'bytes':
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

function readScalar(r: WireReader, wire: number, t: ScalarType, where: string): ScalarValue {
  expectWire(wire, scalarWire(t), where);
  switch (t) {
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'bool':
      return r.varint() !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'uint32':
      return Number(BigInt.asUintN(32, r.varint()));
    case 'int64':
      return BigInt.asIntN(64, r.varint());
    case 'uint64':
      return r.varint();
    case 'double':
      return Buffer.from(r.fixed64()).readDoubleLE(0);
    case 'float':
      return Buffer.from(r.fixed32()).readFloatLE(0);
  }
}

function expectWire(wire: number, want: number, where: string): void {
  if (wire !== want) throw new WireError(`${where}: wire type ${wire}, expected ${want}`);
}

/** 64-bit integers become JSON numbers; Kubernetes' int64 fields (seconds, generations) fit 2^53. */
function toJsonScalar(v: ScalarValue): string | number | boolean {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return base64(v);
  return v;
}

function zeroScalar(t: ScalarType): string | number | boolean {
  if (t === 'string' || t === 'bytes') return '';
  return t === 'bool' ? false : 0;
}

const isZeroScalar = (v: Json): boolean => v === '' || v === 0 || v === false;

function isZeroValue(t: ElementType, v: Json, bytes: Uint8Array): boolean {
  switch (t) {
    case 'Quantity':
      return v === '0';
    case 'IntOrString':
      return v === 0;
    case 'Duration':
      return v === '0s';
    case 'Time':
    case 'MicroTime':
    case 'RawExtension':
    case 'FieldsV1':
      return v === null;
    default:
      return bytes.length === 0;
  }
}

const base64 = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

function concat(slot: Slot | undefined): Uint8Array {
  return slot?.kind === 'message' ? concatChunks(slot.chunks) : EMPTY;
}

/** Repeated occurrences of a singular message merge, which is what concatenating their bytes means. */
function concatChunks(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks);
}

function readSingle(bytes: Uint8Array, no: number, t: 'string'): string | undefined;
function readSingle(bytes: Uint8Array, no: number, t: 'bytes'): Uint8Array | undefined;
function readSingle(bytes: Uint8Array, no: number, t: 'int64'): bigint | undefined;
function readSingle(bytes: Uint8Array, no: number, t: ScalarType): ScalarValue | undefined {
  let v: ScalarValue | undefined;
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === no) v = readScalar(r, wire, t, `field ${no}`);
    else r.skip(wire, field);
  }
  return v;
}

/** metav1.Time keeps whole seconds (RFC3339); MicroTime keeps microseconds. The zero time is null. */
function decodeTime(bytes: Uint8Array, micro: boolean): string | null {
  if (bytes.length === 0) return null;
  let seconds = 0n;
  let nanos = 0;
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) seconds = readScalar(r, wire, 'int64', 'Timestamp.seconds') as bigint;
    else if (field === 2) nanos = readScalar(r, wire, 'int32', 'Timestamp.nanos') as number;
    else r.skip(wire, field);
  }
  // time.Unix normalizes nanos outside [0, 1e9) into the seconds; Time drops them altogether.
  if (!micro) nanos = 0;
  seconds += BigInt(Math.floor(nanos / 1e9));
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  // Go's zero time.Time, 0001-01-01T00:00:00Z.
  if (seconds === -62135596800n && nanos === 0) return null;
  const ms = Number(seconds) * 1000;
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  if (Number.isNaN(ms) || Number.isNaN(year) || year < 0 || year > 9999) {
    throw new WireError(`Timestamp ${seconds}s is outside the years 0-9999`);
  }
  const iso = date.toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** time.Duration.String(): `1h0m0s`, `1.5s`, `300ms`, `2µs`, `0s`. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  const u = neg ? -ns : ns;
  const frac = (v: bigint, prec: number): [string, bigint] => {
    const p = 10n ** BigInt(prec);
    const digits = (v % p).toString().padStart(prec, '0').replace(/0+$/, '');
    return [digits ? `.${digits}` : '', v / p];
  };
  let s: string;
  if (u < 1_000n) s = `${u}ns`;
  else if (u < 1_000_000n) {
    const [f, i] = frac(u, 3);
    s = `${i}${f}µs`;
  } else if (u < 1_000_000_000n) {
    const [f, i] = frac(u, 6);
    s = `${i}${f}ms`;
  } else {
    const [f, secs] = frac(u, 9);
    s = `${secs % 60n}${f}s`;
    const mins = secs / 60n;
    if (mins > 0n) {
      s = `${mins % 60n}m${s}`;
      const hours = mins / 60n;
      if (hours > 0n) s = `${hours}h${s}`;
    }
  }
  return neg ? `-${s}` : s;
}

function decodeIntOrString(bytes: Uint8Array): number | string {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  const r = new WireReader(bytes);
  while (!r.done) {
    const { field, wire } = r.key();
    if (field === 1) type = readScalar(r, wire, 'int64', 'IntOrString.type') as bigint;
    else if (field === 2) intVal = readScalar(r, wire, 'int32', 'IntOrString.intVal') as number;
    else if (field === 3) strVal = readScalar(r, wire, 'string', 'IntOrString.strVal') as string;
    else r.skip(wire, field);
  }
  if (type === 0n) return intVal;
  if (type === 1n) return strVal;
  throw new WireError(`impossible IntOrString.Type ${type}`);
}

/**
 * RawExtension and FieldsV1 carry raw bytes: JSON text, or (for an embedded object a protobuf client
 * wrote) another `k8s\0` envelope, which is decoded in turn.
 */
function decodeRaw(raw: Uint8Array | undefined, depth: number): Json {
  if (raw === undefined) return null;
  if (hasMagic(raw)) {
    if (depth >= MAX_EMBEDDED_DEPTH) throw new WireError('embedded objects nested too deeply');
    try {
      return decodeEnvelope(raw, depth + 1).object;
    } catch (err) {
      if (err instanceof UnknownKindError) throw new WireError(`embedded object: ${err.message}`);
      throw err;
    }
  }
  if (raw.length === 0) return null;
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as Json;
  } catch {
    throw new WireError('raw extension is neither JSON nor a protobuf object');
  }
}
