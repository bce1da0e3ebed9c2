/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl's typed
 * clients send them, decoded into the JSON object the API server works with.
 */

import { badRequest, unsupportedMediaType } from '../errors.js';
import { decodeEnvelope, hasMagic, UnknownKindError, type DecodedObject } from './decode.js';
import { WireError } from './wire.js';

export type { DecodedObject } from './decode.js';
export { coveredKinds } from './registry.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** True for `application/vnd.kubernetes.protobuf`, with or without parameters. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes a protobuf body. Throws StatusErrors: 415 UnsupportedMediaType for a kind the schema does
 * not cover, 400 BadRequest for bytes that are not a well-formed Kubernetes protobuf object.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedObject {
  if (!hasMagic(body)) {
    throw badRequest(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  try {
    return decodeEnvelope(body);
  } catch (err) {
    if (err instanceof UnknownKindError) throw unsupportedMediaType();
    if (err instanceof WireError) throw badRequest(`unable to decode protobuf body: ${err.message}`);
    throw err;
  }
}
