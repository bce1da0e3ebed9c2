/**
 * kube's strategic merge patch error texts (k8s.io/apimachinery/pkg/util/mergepatch), with the statuses
 * its PATCH handler gives them (see ./errors.ts).
 */
import { badRequest } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { patchFailed, patchRejected } from './errors.js';
import { goS, goTypeName, goV } from './go-format.js';

export const badPrimitiveListFormat = () => badRequest('invalid patch format of primitive list');
export const badRetainKeysFormat = () => badRequest('invalid patch format of retainKeys');
export const badSetElementOrderFormat = () => badRequest('invalid patch format of setElementOrder list');
export const noListOfLists = () => patchRejected('lists of lists are not supported');
export const noMergeKey = (m: JsonObject, key: string) =>
  patchFailed(`map: ${goV(m)} does not contain declared merge key: ${key}`);
export const badArgType = (expected: 'map' | 'list', actual: JsonValue | undefined) =>
  patchFailed(
    `expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`,
  );
export const badPatchType = (directive: JsonValue | undefined, m: JsonObject) =>
  patchFailed(`unknown patch type: ${goS(directive)} in map: ${goV(m)}`);
