/**
 * Reads the built-in API types from the `kubernetes-models` declaration files with the TypeScript
 * compiler API: each `I<Type>` interface becomes a definition with its properties, which are optional,
 * references to other types, and the API documentation its JSDoc carries. Build-time only.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { GroupVersionKind, SchemaNode } from '../types.js';

/** Alias-name prefixes outside `io.k8s.api.<group>.<version>`, mapped to their OpenAPI package names. */
const PACKAGE_PREFIXES: readonly [string, string][] = [
  ['IoK8sApimachineryPkgApisMetaV1', 'io.k8s.apimachinery.pkg.apis.meta.v1'],
  ['IoK8sApimachineryPkgApiResource', 'io.k8s.apimachinery.pkg.api.resource'],
  ['IoK8sApimachineryPkgUtilIntstr', 'io.k8s.apimachinery.pkg.util.intstr'],
  ['IoK8sApimachineryPkgRuntime', 'io.k8s.apimachinery.pkg.runtime'],
  ['IoK8sApimachineryPkgVersion', 'io.k8s.apimachinery.pkg.version'],
  [
    'IoK8sApiextensionsApiserverPkgApisApiextensionsV1',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  ],
  ['IoK8sKubeAggregatorPkgApisApiregistrationV1', 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1'],
];

/**
 * The OpenAPI definition name of a kubernetes-models alias: `IoK8sApiCoreV1PodSpec` →
 * `io.k8s.api.core.v1.PodSpec`. Undefined for a prefix this table does not know.
 */
export function definitionName(alias: string): string | undefined {
  for (const [prefix, pkg] of PACKAGE_PREFIXES)
    if (alias.startsWith(prefix) && /^[A-Z]/.test(alias.slice(prefix.length)))
      return `${pkg}.${alias.slice(prefix.length)}`;
  const m = /^IoK8sApi([A-Z][a-z0-9]*)(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(alias);
  return m ? `io.k8s.api.${m[1]!.toLowerCase()}.${m[2]!.toLowerCase()}.${m[3]}` : undefined;
}

/** Types whose JSON form Kubernetes declares itself (OpenAPISchemaType/Format/V3OneOfTypes in apimachinery). */
const SPECIAL: Readonly<Record<string, Omit<SchemaNode, 'description'>>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', oneOfTypes: ['string', 'number'] },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    type: 'string',
    format: 'int-or-string',
    oneOfTypes: ['integer', 'string'],
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { type: 'object' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
};

export interface ReadResult {
  definitions: Map<string, SchemaNode>;
  /** Property types the reader could not map (reported by the generator; a new package version may add some). */
  unmapped: string[];
}

function declarationFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('_') || entry === 'node_modules') continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...declarationFiles(p));
    else if (entry.endsWith('.d.ts') && entry !== 'index.d.ts') out.push(p);
  }
  return out.sort();
}

/** The JSDoc text of a node, with the markdown escapes the package adds removed. */
function docOf(node: ts.Node): string | undefined {
  const parts: string[] = [];
  for (const doc of ts.getJSDocCommentsAndTags(node)) {
    if (!ts.isJSDoc(doc)) continue;
    const text = ts.getTextOfJSDocComment(doc.comment);
    if (text) parts.push(text);
  }
  const text = parts.join('\n\n').replace(/\\\*/g, '*').trim();
  return text || undefined;
}

function literalText(node: ts.TypeNode): string | undefined {
  return ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal) ? node.literal.text : undefined;
}

class FileReader {
  /** Local interface / type alias name → definition name, for this file's own exports. */
  private readonly localNames = new Map<string, string>();

  constructor(
    private readonly sf: ts.SourceFile,
    private readonly unmapped: string[],
  ) {
    for (const stmt of sf.statements) {
      if (!ts.isExportDeclaration(stmt) || !stmt.exportClause || !ts.isNamedExports(stmt.exportClause))
        continue;
      for (const el of stmt.exportClause.elements) {
        const local = el.propertyName?.text;
        const alias = el.name.text;
        if (!local || !alias.startsWith('IIoK8s')) continue;
        const name = definitionName(alias.slice(1));
        if (name) this.localNames.set(local, name);
      }
    }
  }

  definitions(): [string, SchemaNode][] {
    const out: [string, SchemaNode][] = [];
    for (const stmt of this.sf.statements) {
      const name =
        (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) &&
        this.localNames.get(stmt.name.text);
      if (!name) continue;
      const description = docOf(stmt);
      const special = SPECIAL[name];
      if (special) out.push([name, { ...special, ...(description ? { description } : {}) }]);
      else if (ts.isInterfaceDeclaration(stmt))
        out.push([name, this.interfaceSchema(stmt, name, description)]);
      else out.push([name, { ...this.typeSchema(stmt.type, name), ...(description ? { description } : {}) }]);
    }
    return out;
  }

  private interfaceSchema(decl: ts.InterfaceDeclaration, name: string, description?: string): SchemaNode {
    const out = this.objectSchema(decl.members, name);
    return description ? { ...out, description } : out;
  }

  private objectSchema(members: ts.NodeArray<ts.TypeElement>, name: string): SchemaNode {
    const properties: Record<string, SchemaNode> = {};
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    for (const member of members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const key = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : '';
      if (!key) continue;
      const doc = docOf(member);
      if (key === 'apiVersion') apiVersion = literalText(member.type);
      if (key === 'kind') kind = literalText(member.type);
      const typeMeta = (key === 'apiVersion' || key === 'kind') && literalText(member.type) !== undefined;
      const schema = typeMeta ? { type: 'string' as const } : this.typeSchema(member.type, `${name}.${key}`);
      properties[key] = doc ? { ...schema, description: doc } : schema;
      // apiVersion and kind are typed as required literals by the package; Kubernetes never requires them.
      if (!member.questionToken && !typeMeta) required.push(key);
    }
    const out: SchemaNode = { type: 'object' };
    if (Object.keys(properties).length) out.properties = properties;
    if (required.length) out.required = required.sort();
    if (apiVersion !== undefined && kind !== undefined) out.gvk = [gvkOf(apiVersion, kind)];
    return out;
  }

  private typeSchema(node: ts.TypeNode, where: string): SchemaNode {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        // Integer or number, and the format, come from the protobuf field schema (numeric-types.ts).
        return { type: 'number' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.ObjectKeyword:
        return { type: 'object' };
    }
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal))
      return { type: 'string', enum: [node.literal.text] };
    if (ts.isUnionTypeNode(node)) {
      const values = node.types.map(literalText);
      if (values.every((v): v is string => v !== undefined)) return { type: 'string', enum: values };
    }
    if (ts.isParenthesizedTypeNode(node)) return this.typeSchema(node.type, where);
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.typeSchema(node.elementType, where) };
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const ref = node.typeName.text;
      const arg = node.typeArguments?.[0];
      if (ref === 'Array' && arg) return { type: 'array', items: this.typeSchema(arg, where) };
      const target =
        this.localNames.get(ref) ?? (ref.startsWith('IIoK8s') ? definitionName(ref.slice(1)) : undefined);
      if (target) return { ref: target };
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index && node.members.length === 1)
        return { type: 'object', additionalProperties: this.typeSchema(index.type, where) };
      // An inline object type: the package spells some embedded types out in place.
      if (!index) return this.objectSchema(node.members, where);
    }
    this.unmapped.push(`${where}: ${node.getText(this.sf)}`);
    return {};
  }
}

function gvkOf(apiVersion: string, kind: string): GroupVersionKind {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/** Reads every type of the given package directories. */
export function readModels(packageDirs: string[]): ReadResult {
  const definitions = new Map<string, SchemaNode>();
  const unmapped: string[] = [];
  for (const dir of packageDirs)
    for (const file of declarationFiles(dir)) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      for (const [name, schema] of new FileReader(sf, unmapped).definitions()) definitions.set(name, schema);
    }
  return { definitions, unmapped };
}

/**
 * The package declares `apiVersion` and `kind` of top-level kinds as bare literals without documentation;
 * they take the documentation it gives the same TypeMeta fields elsewhere (metav1.Status).
 */
export function describeTypeMeta(definitions: Map<string, SchemaNode>): void {
  const source = definitions.get('io.k8s.apimachinery.pkg.apis.meta.v1.Status')?.properties;
  for (const def of definitions.values()) {
    if (!def.gvk || !def.properties) continue;
    for (const key of ['apiVersion', 'kind']) {
      const prop = def.properties[key];
      const description = source?.[key]?.description;
      if (prop && !prop.description && description) prop.description = description;
    }
  }
}
