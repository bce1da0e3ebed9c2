/**
 * Build step (`npm run build`): reads the built-in API types from the `kubernetes-models` package and
 * writes the schema definitions the API server serves as OpenAPI and validates request fields with, to
 * `dist/openapi/definitions.json`. Generated from the dependency, never committed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DEFINITIONS_FILE } from '../definitions.js';
import type { DefinitionsFile } from '../types.js';
import { applyNumericTypes } from './numeric-types.js';
import { applyPatchExtensions } from './patch-extensions.js';
import { describeTypeMeta, readModels } from './read-models.js';

const started = process.hrtime.bigint();
const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve('kubernetes-models/package.json'));
const apimachineryDir = dirname(
  createRequire(`${modelsDir}/`).resolve('@kubernetes-models/apimachinery/package.json'),
);
const version = (JSON.parse(readFileSync(`${modelsDir}/package.json`, 'utf8')) as { version: string })
  .version;

const { definitions, unmapped } = readModels([apimachineryDir, modelsDir]);
const unresolvedNumbers = applyNumericTypes(definitions);
describeTypeMeta(definitions);
applyPatchExtensions(definitions);

const file: DefinitionsFile = {
  source: `kubernetes-models@${version}`,
  definitions: Object.fromEntries([...definitions].sort(([a], [b]) => a.localeCompare(b))),
};
const text = JSON.stringify(file);
mkdirSync(dirname(DEFINITIONS_FILE), { recursive: true });
writeFileSync(DEFINITIONS_FILE, text);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(
  `openapi definitions: ${definitions.size} types, ${(text.length / 1024).toFixed(0)} KiB, ${ms.toFixed(0)} ms` +
    ` (${unmapped.length} unmapped property types, ${unresolvedNumbers.length} numbers without protobuf facts)\n`,
);
if (process.env['K8TS_GEN_VERBOSE'])
  process.stdout.write([...unmapped, ...unresolvedNumbers.map((n) => `number: ${n}`)].join('\n') + '\n');
