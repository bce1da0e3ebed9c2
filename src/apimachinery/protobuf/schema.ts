/**
 * A field-number schema for decoding Kubernetes protobuf into the JSON the API server works with.
 *
 * A message is `message(name, { fieldNumber: [jsonName, type, flags?] })`. Flags carry the Go facts
 * protobuf cannot: `o` the json tag has omitempty, `z` omitzero, `p` the Go field is a pointer (emitted
 * whenever it was on the wire, even as a zero value), `i` an embedded struct whose fields are inlined
 * into the parent object. Element types are scalars (`string`, `int32`, ...), special types with their
 * own JSON form (`Time`, `Quantity`, `IntOrString`, ...), or other messages by name.
 */

export type ScalarType =
  'string' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'bool' | 'bytes' | 'double' | 'float';

export type SpecialType =
  'Time' | 'MicroTime' | 'Duration' | 'Quantity' | 'IntOrString' | 'RawExtension' | 'FieldsV1';

/** A scalar, a special type, or a message name (checked when the registry is built). */
export type ElementType = ScalarType | SpecialType | (string & {});

export interface RepeatedType {
  readonly repeated: ElementType;
}

export interface MapType {
  readonly mapKey: ScalarType;
  readonly mapValue: ElementType;
}

export type FieldType = ElementType | RepeatedType | MapType;

export type FieldFlags = 'o' | 'z' | 'oz' | 'p' | 'op' | 'i' | 'ip';

export type FieldSpec = readonly [json: string, type: FieldType, flags?: FieldFlags];

export interface FieldDef {
  readonly no: number;
  readonly json: string;
  readonly type: FieldType;
  readonly omitEmpty: boolean;
  readonly omitZero: boolean;
  readonly pointer: boolean;
  readonly inline: boolean;
}

export interface StructDef {
  readonly kind: 'message';
  readonly name: string;
  /** In field-number order (how JavaScript orders integer keys), which is the JSON key order. */
  readonly fields: readonly FieldDef[];
  readonly byNumber: ReadonlyMap<number, FieldDef>;
}

/** A Go named slice carried as a message with one repeated `items` field (authentication's ExtraValue). */
export interface ListDef {
  readonly kind: 'list';
  readonly name: string;
  readonly item: ElementType;
}

export type MessageDef = StructDef | ListDef;

export const repeated = (of: ElementType): RepeatedType => ({ repeated: of });

export const map = (key: ScalarType, value: ElementType): MapType => ({ mapKey: key, mapValue: value });

export function message(name: string, spec: Readonly<Record<number, FieldSpec>>): StructDef {
  const fields: FieldDef[] = [];
  for (const [key, [json, type, flags = '']] of Object.entries(spec)) {
    fields.push({
      no: Number(key),
      json,
      type,
      omitEmpty: flags.includes('o'),
      omitZero: flags.includes('z'),
      pointer: flags.includes('p'),
      inline: flags.includes('i'),
    });
  }
  return { kind: 'message', name, fields, byNumber: new Map(fields.map((f) => [f.no, f])) };
}

export const listMessage = (name: string, item: ElementType): ListDef => ({ kind: 'list', name, item });

export const SCALAR_TYPES: ReadonlySet<string> = new Set<ScalarType>([
  'string',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'bool',
  'bytes',
  'double',
  'float',
]);

export const SPECIAL_TYPES: ReadonlySet<string> = new Set<SpecialType>([
  'Time',
  'MicroTime',
  'Duration',
  'Quantity',
  'IntOrString',
  'RawExtension',
  'FieldsV1',
]);

export const isRepeated = (t: FieldType): t is RepeatedType => typeof t === 'object' && 'repeated' in t;
export const isMap = (t: FieldType): t is MapType => typeof t === 'object' && 'mapKey' in t;
