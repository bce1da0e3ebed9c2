/**
 * The Swagger 2.0 document in gnostic's protobuf form (`openapi.v2.Document`, field numbers from
 * gnostic's OpenAPIv2.proto), which kubectl 1.27/1.28 download from /openapi/v2 to validate manifests.
 * Encodes the subset of Swagger the documents of documents.ts use. Vendor extensions and enum values
 * travel as `Any{yaml}`; JSON text is YAML, so values are written as JSON.
 */
import { WireWriter } from '../../apimachinery/protobuf/wire.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** NamedAny{1 name, 2 Any{2 yaml}} for every `x-` key. */
function vendorExtensions(w: WireWriter, field: number, o: Json): void {
  for (const [k, v] of Object.entries(o))
    if (k.startsWith('x-'))
      w.message(field, (n) => n.string(1, k).message(2, (a) => a.string(2, `${JSON.stringify(v)}\n`)));
}

function schema(w: WireWriter, s: Json): void {
  w.string(1, str(s['$ref']));
  w.string(2, str(s['format']));
  w.string(4, str(s['description']));
  w.strings(19, strs(s['required']));
  for (const e of Array.isArray(s['enum']) ? s['enum'] : [])
    w.message(20, (a) => a.string(2, `${JSON.stringify(e)}\n`));
  if (s['additionalProperties'] !== undefined)
    w.message(21, (a) => a.message(1, (x) => schema(x, obj(s['additionalProperties']))));
  if (typeof s['type'] === 'string') w.message(22, (t) => t.strings(1, [s['type'] as string]));
  if (s['items'] !== undefined) w.message(23, (i) => i.message(1, (x) => schema(x, obj(s['items']))));
  if (s['properties'] !== undefined)
    w.message(25, (p) => {
      for (const [name, value] of Object.entries(obj(s['properties'])))
        p.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, obj(value))));
    });
  vendorExtensions(w, 31, s);
}

/** Parameter{1 BodyParameter | 2 NonBodyParameter{3 query | 4 path}}. */
function parameter(w: WireWriter, p: Json): void {
  const where = str(p['in']);
  if (where === 'body') {
    w.message(1, (b) =>
      b
        .string(1, str(p['description']))
        .string(2, str(p['name']))
        .string(3, where)
        .bool(4, p['required'] === true)
        .message(5, (x) => schema(x, obj(p['schema']))),
    );
    return;
  }
  const path = where === 'path';
  w.message(2, (nb) =>
    nb.message(path ? 4 : 3, (q) => {
      q.bool(1, p['required'] === true)
        .string(2, where)
        .string(3, str(p['description']))
        .string(4, str(p['name']));
      q.string(path ? 5 : 6, str(p['type']));
      q.bool(path ? 19 : 20, p['uniqueItems'] === true);
    }),
  );
}

function parameters(w: WireWriter, field: number, list: unknown): void {
  for (const p of Array.isArray(list) ? list : [])
    w.message(field, (item) => item.message(1, (x) => parameter(x, obj(p))));
}

function operation(w: WireWriter, op: Json): void {
  w.string(3, str(op['description']));
  w.string(5, str(op['operationId']));
  w.strings(6, strs(op['produces']));
  w.strings(7, strs(op['consumes']));
  parameters(w, 8, op['parameters']);
  w.message(9, (rs) => {
    for (const [code, r] of Object.entries(obj(op['responses'])))
      rs.message(1, (n) =>
        n.string(1, code).message(2, (rv) =>
          rv.message(1, (resp) => {
            resp.string(1, str(obj(r)['description']));
            const s = obj(r)['schema'];
            if (s !== undefined) resp.message(2, (si) => si.message(1, (x) => schema(x, obj(s))));
          }),
        ),
      );
  });
  w.strings(10, strs(op['schemes']));
  vendorExtensions(w, 13, op);
}

const METHOD_FIELDS: Readonly<Record<string, number>> = { get: 2, put: 3, post: 4, delete: 5, patch: 8 };

/** Encodes a Swagger 2.0 document (as documents.ts builds it) to gnostic's protobuf. */
export function encodeGnosticV2(doc: Json): Uint8Array {
  const w = new WireWriter();
  w.string(1, str(doc['swagger']));
  const info = obj(doc['info']);
  w.message(2, (i) => i.string(1, str(info['title'])).string(2, str(info['version'])));
  w.message(8, (ps) => {
    for (const [path, item] of Object.entries(obj(doc['paths'])))
      ps.message(2, (n) =>
        n.string(1, path).message(2, (pi) => {
          const it = obj(item);
          for (const [method, field] of Object.entries(METHOD_FIELDS))
            if (it[method] !== undefined) pi.message(field, (o) => operation(o, obj(it[method])));
          parameters(pi, 9, it['parameters']);
        }),
      );
  });
  w.message(9, (ds) => {
    for (const [name, s] of Object.entries(obj(doc['definitions'])))
      ds.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, obj(s))));
  });
  for (const req of Array.isArray(doc['security']) ? doc['security'] : [])
    w.message(12, (sr) => {
      for (const [name, scopes] of Object.entries(obj(req)))
        sr.message(1, (n) => n.string(1, name).message(2, (a) => a.strings(1, strs(scopes))));
    });
  w.message(13, (sd) => {
    for (const [name, def] of Object.entries(obj(doc['securityDefinitions']))) {
      const d = obj(def);
      sd.message(1, (n) =>
        n
          .string(1, name)
          .message(2, (item) =>
            item.message(2, (k) =>
              k
                .string(1, str(d['type']))
                .string(2, str(d['name']))
                .string(3, str(d['in']))
                .string(4, str(d['description'])),
            ),
          ),
      );
    }
  });
  return w.finish();
}
