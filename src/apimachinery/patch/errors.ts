/**
 * The errors kube-apiserver answers a failed PATCH with (k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
 *
 * - A body that is not valid JSON: 400 BadRequest `invalid JSON patch`, whatever the patch type.
 * - JSON Patch (RFC 6902): a body that is not a list of operation objects is 400 BadRequest with Go's
 *   decoding error (`json: cannot unmarshal object into Go value of type jsonpatch.Patch`); more than
 *   10000 operations is 413 RequestEntityTooLarge; any operation that fails to apply (missing path,
 *   failed test, unknown op, bad index) is 422 Invalid with the fixed text `the server rejected our
 *   request due to an error in our request` and empty details: the reason is not sent to the client.
 * - JSON Merge Patch (RFC 7386): a patch that is null or a scalar is 400 BadRequest `Invalid JSON Patch`.
 * - Strategic merge patch: a patch that is not an object is 400 BadRequest with Go's decoding error;
 *   malformed `$deleteFromPrimitiveList`, `$retainKeys` or `$setElementOrder` directives are 400
 *   BadRequest (`invalid patch format of ...`); lists of lists are 422 Invalid with the fixed text above;
 *   every other failure (missing merge key, unknown `$patch` value, element types that differ, an order
 *   list that contradicts the patch) is not a Status error in kube and reaches the client as a 500 whose
 *   reason is empty and whose message is the raw error text.
 * - A patched object that then fails to decode or validate is the caller's 422 (`invalid`).
 */
import { badRequest, StatusError, type Status } from '../errors.js';

export const REJECTED_MESSAGE = 'the server rejected our request due to an error in our request';

/** 422 Invalid with kube's fixed text; `detail` says why, for logs only (it is the error's `cause`). */
export function patchRejected(detail: string): StatusError {
  const err = new StatusError(422, 'Invalid', REJECTED_MESSAGE, {});
  err.cause = detail;
  return err;
}

/** A 500 whose Status has no reason, as kube sends for errors that are not API statuses. */
class UnclassifiedError extends StatusError {
  override toStatus(): Status {
    const status = super.toStatus();
    delete status.reason;
    return status;
  }
}

/** In code its reason reads InternalError; on the wire it has none, like kube's StatusReasonUnknown. */
export const patchFailed = (message: string): StatusError =>
  new UnclassifiedError(500, 'InternalError', message);

export const invalidPatchJson = (): StatusError => badRequest('invalid JSON patch');
