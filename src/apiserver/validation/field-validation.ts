/**
 * Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`, Warn when absent, as
 * kube-apiserver 1.27+): unknown and duplicate fields in create/update bodies and patches, checked
 * against the built-in types' schemas. Strict refuses the request with Kubernetes' texts, Warn answers
 * with `Warning: 299` headers, Ignore does neither. Protobuf bodies cannot carry unknown fields.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import * as E from '../../apimachinery/errors.js';
import { notSupported } from '../../apimachinery/meta.js';
import { goV } from '../../apimachinery/patch/go-format.js';
import type { JsonValue } from '../../apimachinery/json.js';
import { fieldTreeFor } from '../../api/schema/field-tree.js';
import { mediaType } from '../http/io.js';
import type { Req, Res } from '../http/io.js';
import { pruneUnknownFields, strictJsonErrors, unknownFieldErrors } from './strict-fields.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

interface Target {
  group: string;
  version: string;
  kind: string;
}

/** The parts of a resource request these checks read (a ResourceContext has them). */
export interface FieldValidationRequest {
  req: Req;
  res: Res;
  url: URL;
  info: { verb: string };
  def: Target;
}

const OPTIONS_KIND = { create: 'CreateOptions', update: 'UpdateOptions', patch: 'PatchOptions' } as const;

/** The directive of a request; an unsupported value is 422 on the verb's options kind. */
export function fieldValidationOf(q: URLSearchParams, verb: keyof typeof OPTIONS_KIND): FieldValidation {
  const value = q.get('fieldValidation') ?? '';
  if (value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw E.invalid({ group: 'meta.k8s.io', resource: '', kind: OPTIONS_KIND[verb] }, '', [
    notSupported('fieldValidation', value, ['', 'Ignore', 'Strict', 'Warn']),
  ]);
}

/** Adds `Warning: 299 - "<text>"` headers; kubectl prints each as `Warning: <text>`. */
export function addWarnings(res: Res, texts: string[]): void {
  if (!texts.length) return;
  const previous = res.getHeader('warning');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
  // A retried patch checks again: the same warning is sent once.
  res.setHeader('warning', [...new Set([...list, ...texts.map((t) => `299 - ${JSON.stringify(t)}`)])]);
}

const isYaml = (type: string) => type === 'application/yaml' || type === 'application/apply-patch+yaml';

/** Duplicate keys of a YAML document, as sigs.k8s.io/yaml's strict conversion words them (one error). */
function yamlDuplicateError(text: string): string | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines });
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : JSON.stringify(keyNode?.toJSON() ?? null);
        if (seen.has(key)) {
          const line = keyNode?.range ? lines.linePos(keyNode.range[0]).line : 0;
          found.push(`line ${line}: key ${JSON.stringify(key)} already set in map`);
        }
        seen.add(key);
        visit(pair.value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  visit(doc.contents);
  return found.length
    ? `error converting YAML to JSON: yaml: unmarshal errors:\n  ${found.join('\n  ')}`
    : undefined;
}

/** A YAML strict error is one error; as a warning each of its lines stands alone (kube does the same). */
function warningTexts(errors: string[]): string[] {
  return errors.flatMap((e) =>
    e.startsWith('error converting YAML to JSON: yaml: unmarshal errors:\n')
      ? e
          .split('\n')
          .slice(1)
          .map((l) => l.trim())
      : [e],
  );
}

function respond(
  res: Res,
  directive: FieldValidation,
  errors: string[],
  refuse: (msg: string) => E.StatusError,
) {
  if (!errors.length) return;
  if (directive === 'Warn') addWarnings(res, warningTexts(errors));
  else throw refuse(`strict decoding error: ${errors.join(', ')}`);
}

/**
 * Checks a create or update body. Strict: 400 `<Kind> in version "<v>" cannot be handled as a <Kind>:
 * strict decoding error: unknown field "spec.foo"`, naming the body's kind and version as kube does.
 */
export function validateObjectFields(
  r: FieldValidationRequest,
  body: Buffer,
  obj: Record<string, unknown>,
): void {
  const directive = fieldValidationOf(r.url.searchParams, r.info.verb === 'create' ? 'create' : 'update');
  const type = mediaType(r.req);
  if (type === 'application/vnd.kubernetes.protobuf') return;
  const target = r.def;
  const tree = fieldTreeFor(target.group, target.version, target.kind);
  if (!tree) return;
  if (directive === 'Ignore') {
    pruneUnknownFields(obj, tree);
    return;
  }
  const text = body.toString('utf8');
  let errors: string[];
  if (isYaml(type)) {
    const dup = yamlDuplicateError(text);
    errors = [...(dup ? [dup] : []), ...unknownFieldErrors(obj, tree)];
  } else errors = strictJsonErrors(text, tree);
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
  const bodyVersion = apiVersion ? apiVersion.slice(apiVersion.indexOf('/') + 1) : target.version;
  const bodyKind = typeof obj['kind'] === 'string' && obj['kind'] ? obj['kind'] : target.kind;
  respond(r.res, directive, errors, (msg) =>
    E.badRequest(
      `${bodyKind} in version ${JSON.stringify(bodyVersion)} cannot be handled as a ${target.kind}: ${msg}`,
    ),
  );
  pruneUnknownFields(obj, tree);
}

/**
 * Checks a JSON, merge or strategic merge patch: duplicates in the patch itself, then unknown fields of
 * the patched object. Strict: 422 `patch: Invalid value: "<patch or patched object>": strict decoding
 * error: ...`, with the value kube shows for each patch type. Other patch types are not looked at here.
 */
export function validatePatchedFields(
  r: FieldValidationRequest,
  patchType: string,
  patchBody: Buffer,
  patched: Record<string, unknown>,
): void {
  const directive = fieldValidationOf(r.url.searchParams, 'patch');
  const target = r.def;
  const tree = fieldTreeFor(target.group, target.version, target.kind);
  const jsonPatch = patchType === 'application/json-patch+json';
  if (
    !jsonPatch &&
    patchType !== 'application/merge-patch+json' &&
    patchType !== 'application/strategic-merge-patch+json'
  )
    return;
  if (directive === 'Ignore') {
    if (tree) pruneUnknownFields(patched, tree);
    return;
  }
  const text = patchBody.toString('utf8');
  const errors = [
    ...strictJsonErrors(text, null).map((e) => (jsonPatch ? `json patch ${e}` : e)),
    ...(tree ? unknownFieldErrors(patched, tree) : []),
  ];
  respond(r.res, directive, errors, (msg) => {
    const shown =
      patchType === 'application/strategic-merge-patch+json'
        ? goV(JSON.parse(text) as JsonValue)
        : JSON.stringify(patched);
    return E.invalid({ group: '', resource: '', kind: '' }, '', [
      {
        type: 'FieldValueInvalid',
        field: 'patch',
        detail: `Invalid value: ${JSON.stringify(shown)}: ${msg}`,
      },
    ]);
  });
  if (tree) pruneUnknownFields(patched, tree);
}
