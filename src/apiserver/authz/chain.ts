/**
 * Authorization: a chain of authorizers asked in order; the first that allows or denies decides, and a
 * request nobody allows is forbidden with the message Kubernetes gives.
 */
import * as E from '../../apimachinery/errors.js';
import type { UserInfo } from '../authn/user.js';
import type { RequestInfo } from '../request-info.js';

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface Authorizer {
  name: string;
  authorize(user: UserInfo, info: RequestInfo): Decision | Promise<Decision>;
}

/** Members of system:masters may do anything, as in Kubernetes. */
export const mastersAuthorizer: Authorizer = {
  name: 'system:masters',
  authorize: (user) => (user.groups.includes('system:masters') ? 'allow' : 'no-opinion'),
};

/** The discovery, version and health endpoints every client may read (system:public-info-viewer and system:discovery). */
const PUBLIC_PATHS = [/^\/(healthz|livez|readyz)(\/.*)?$/, /^\/version\/?$/];
const DISCOVERY_PATHS = [/^\/api(\/v1)?\/?$/, /^\/apis(\/[^/]+(\/[^/]+)?)?\/?$/, /^\/openapi(\/.*)?$/];

export const publicInfoAuthorizer: Authorizer = {
  name: 'public-info',
  authorize(user, info) {
    if (info.isResourceRequest || info.verb !== 'get') return 'no-opinion';
    if (PUBLIC_PATHS.some((r) => r.test(info.path))) return 'allow';
    if (user.groups.includes('system:authenticated') && DISCOVERY_PATHS.some((r) => r.test(info.path)))
      return 'allow';
    return 'no-opinion';
  },
};

export class AuthorizerChain {
  constructor(private readonly authorizers: Authorizer[]) {}

  async authorize(user: UserInfo, info: RequestInfo): Promise<void> {
    for (const a of this.authorizers) {
      const d = await a.authorize(user, info);
      if (d === 'allow') return;
      if (d === 'deny') break;
    }
    throw forbiddenFor(user, info);
  }
}

export function forbiddenFor(user: UserInfo, info: RequestInfo): E.StatusError {
  if (!info.isResourceRequest)
    return new E.StatusError(
      403,
      'Forbidden',
      `forbidden: User "${user.name}" cannot ${info.verb} path "${info.path}"`,
      {},
    );
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope';
  const why = `User "${user.name}" cannot ${info.verb} resource "${resource}" in API group "${info.group}"${scope}`;
  return E.forbidden({ group: info.group, resource: info.resource }, info.name, why);
}
