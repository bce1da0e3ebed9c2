/**
 * User impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the Impersonate-* headers name the
 * user the request acts as. The authenticated user must be allowed the `impersonate` verb on each thing
 * named (users or serviceaccounts, groups, uids, userextras), as in kube-apiserver's impersonation filter.
 */
import * as E from '../../apimachinery/errors.js';
import type { AuthorizerChain } from '../authz/chain.js';
import { forbiddenFor } from '../authz/chain.js';
import type { Attributes } from '../authz/types.js';
import type { Req } from '../http/io.js';
import { parseServiceAccountUsername, serviceAccountGroups } from './service-account-token.js';
import type { UserInfo } from './user.js';

const EXTRA_PREFIX = 'impersonate-extra-';

interface Requested {
  user?: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** Every value of every Impersonate-* header, repeated headers kept apart (not comma-joined). */
function requested(req: Req): Requested | undefined {
  const raw = req.rawHeaders;
  const out: Requested = { groups: [], extra: {} };
  let any = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'impersonate-user') out.user = value;
    else if (name === 'impersonate-uid') out.uid = value;
    else if (name === 'impersonate-group') out.groups.push(value);
    else if (name.startsWith(EXTRA_PREFIX)) {
      const key = decodeURIComponent(name.slice(EXTRA_PREFIX.length));
      (out.extra[key] ??= []).push(value);
    } else continue;
    any = true;
  }
  return any ? out : undefined;
}

const check = (
  actor: UserInfo,
  a: Partial<Attributes> & Pick<Attributes, 'resource' | 'name'>,
): Attributes => ({
  user: actor,
  verb: 'impersonate',
  isResourceRequest: true,
  path: '',
  namespace: '',
  group: '',
  version: '',
  subresource: '',
  ...a,
});

/**
 * The user a request acts as: `actor` itself without Impersonate-* headers, else the impersonated
 * user once every part of the impersonation is authorized. Throws Forbidden or BadRequest.
 */
export async function impersonatedUser(req: Req, actor: UserInfo, authz: AuthorizerChain): Promise<UserInfo> {
  const r = requested(req);
  if (!r) return actor;
  if (r.user === undefined)
    throw E.internalError(
      `requested impersonation of ${[...r.groups.map((g) => `group ${g}`), ...(r.uid ? [`uid ${r.uid}`] : []), ...Object.keys(r.extra).map((k) => `extra ${k}`)].join(', ')} without impersonating a user`,
    );
  const sa = parseServiceAccountUsername(r.user);
  const checks: Attributes[] = [
    sa
      ? check(actor, { resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name })
      : check(actor, { resource: 'users', name: r.user }),
    ...r.groups.map((g) => check(actor, { resource: 'groups', name: g })),
    ...(r.uid !== undefined
      ? [check(actor, { group: 'authentication.k8s.io', resource: 'uids', name: r.uid })]
      : []),
    ...Object.entries(r.extra).flatMap(([key, values]) =>
      values.map((v) =>
        check(actor, { group: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: v }),
      ),
    ),
  ];
  for (const a of checks) {
    const d = await authz.decide(a);
    if (d.decision !== 'allow') throw forbiddenFor(a, d.reason);
  }
  const groups = r.groups.length === 0 && sa ? serviceAccountGroups(sa.namespace) : [...r.groups];
  if (r.user === 'system:anonymous') {
    if (!groups.includes('system:unauthenticated')) groups.push('system:unauthenticated');
  } else if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) {
    groups.push('system:authenticated');
  }
  const user: UserInfo = { name: r.user, groups };
  if (r.uid !== undefined) user.uid = r.uid;
  if (Object.keys(r.extra).length) user.extra = r.extra;
  return user;
}
