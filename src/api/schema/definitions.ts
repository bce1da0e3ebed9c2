/** The built-in types' schema definitions generated at build time (generator/main.ts), loaded on first use. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DefinitionsFile, SchemaNode } from './types.js';

/** `dist/openapi/definitions.json`: this module runs from `dist/src/api/schema/`. */
export const DEFINITIONS_FILE = fileURLToPath(new URL('../../../openapi/definitions.json', import.meta.url));

let loaded: ReadonlyMap<string, SchemaNode> | undefined;

export function definitions(): ReadonlyMap<string, SchemaNode> {
  if (!loaded) {
    const file = JSON.parse(readFileSync(DEFINITIONS_FILE, 'utf8')) as DefinitionsFile;
    loaded = new Map(Object.entries(file.definitions));
  }
  return loaded;
}
