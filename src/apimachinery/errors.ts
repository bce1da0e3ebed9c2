/**
 * API errors as values: a StatusError carries the metav1.Status the API server sends, with the HTTP code,
 * reason and message text kubectl users know. Constructors follow k8s.io/apimachinery/pkg/api/errors.
 */

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'ServerTimeout';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { resourceVersion?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** Identifies a resource in messages: `deployments.apps` for groups, `pods` for core. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

export function isStatusError(err: unknown, reason?: StatusReason): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}

const details = (gr: GroupResource, name: string, extra: Partial<StatusDetails> = {}): StatusDetails => {
  const d: StatusDetails = { name };
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return { ...d, ...extra };
};

export const notFound = (gr: GroupResource, name: string) =>
  new StatusError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, details(gr, name));

export const alreadyExists = (gr: GroupResource, name: string) =>
  new StatusError(
    409,
    'AlreadyExists',
    `${qualifiedResource(gr)} "${name}" already exists`,
    details(gr, name),
  );

export const conflict = (gr: GroupResource, name: string, why: string) =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
    details(gr, name),
  );

/** The optimistic-concurrency failure kubectl users know. */
export const staleObject = (gr: GroupResource, name: string) =>
  conflict(
    gr,
    name,
    'the object has been modified; please apply your changes to the latest version and try again',
  );

export interface FieldError {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueDuplicate`, `FieldValueForbidden`, `FieldValueTooLong`... */
  type: string;
  field: string;
  /** The text after the field path, e.g. `Required value` or `Invalid value: "x": must be ...`. */
  detail: string;
}

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.selector: Required value`. */
export const invalid = (gr: GroupResource & { kind: string }, name: string, errs: FieldError[]) => {
  const kindName = gr.group ? `${gr.kind}.${gr.group}` : gr.kind;
  const text = errs.map((e) => `${e.field}: ${e.detail}`);
  const summary = text.length === 1 ? text[0]! : `[${text.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${kindName} "${name}" is invalid: ${summary}`, {
    name,
    ...(gr.group ? { group: gr.group } : {}),
    kind: gr.kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  });
};

export const badRequest = (message: string) => new StatusError(400, 'BadRequest', message);
export const unauthorized = (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message);
export const forbidden = (gr: GroupResource, name: string, why: string) =>
  new StatusError(
    403,
    'Forbidden',
    `${qualifiedResource(gr)}${name ? ` "${name}"` : ''} is forbidden: ${why}`,
    details(gr, name),
  );
export const methodNotAllowed = (_verb: string, gr: GroupResource) =>
  new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource`,
    {
      ...(gr.group ? { group: gr.group } : {}),
      kind: gr.resource,
    },
  );
export const notAcceptable = (message: string) => new StatusError(406, 'NotAcceptable', message);
export const unsupportedMediaType = () =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  );
export const tooLarge = (message: string) =>
  new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
/** 410 Expired for a resourceVersion that history no longer holds. */
export const expired = (message: string) => new StatusError(410, 'Expired', message);
export const gone = (message: string) => new StatusError(410, 'Gone', message);
export const internalError = (message: string) =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);
export const serviceUnavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);
export const timeout = (message: string) => new StatusError(504, 'Timeout', message);
