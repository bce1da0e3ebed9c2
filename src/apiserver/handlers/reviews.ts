/**
 * The review resources: create-only questions answered from the authenticator and authorizer chains.
 * authorization.k8s.io: SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview,
 * SelfSubjectRulesReview; authentication.k8s.io: TokenReview and SelfSubjectReview.
 */
import * as E from '../../apimachinery/errors.js';
import type { FieldError } from '../../apimachinery/errors.js';
import { invalidValue } from '../../apimachinery/meta.js';
import type { KubeObject } from '../../apimachinery/meta.js';
import { groupVersion } from '../../api/types.js';
import type { ResourceDefinition } from '../../api/types.js';
import { TokenInvalid, authenticateServiceAccountToken } from '../authn/service-account-token.js';
import type { UserInfo } from '../authn/user.js';
import type { Attributes } from '../authz/types.js';
import type { ResourceContext } from './resources.js';
import { metadataIsEmpty, readTypedBody, respond } from './virtual-io.js';
import type { VirtualServices } from './virtual-io.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const present = (v: unknown) => v !== undefined && v !== null;
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

const invalid = (def: ResourceDefinition, name: string, errs: FieldError[]) =>
  E.invalid({ group: def.group, resource: def.resource, kind: def.kind }, name, errs);

/** Echoes the request with the server's answer, as kube-apiserver does for every review. */
function answer(ctx: ResourceContext, body: KubeObject, status: Rec): void {
  respond(ctx, 201, {
    kind: ctx.def.kind,
    apiVersion: groupVersion(ctx.def),
    metadata: { ...(body.metadata ?? {}), creationTimestamp: null },
    ...(body['spec'] !== undefined ? { spec: body['spec'] } : {}),
    status,
  });
}

/** Exactly one of resourceAttributes and nonResourceAttributes, as Kubernetes validates every access review. */
function specErrors(spec: Rec): FieldError[] {
  const hasRes = present(spec['resourceAttributes']);
  const hasNonRes = present(spec['nonResourceAttributes']);
  if (hasRes && hasNonRes)
    return [
      invalidValue(
        'spec.nonResourceAttributes',
        spec['nonResourceAttributes'],
        'cannot be specified in combination with resourceAttributes',
      ),
    ];
  if (!hasRes && !hasNonRes)
    return [
      invalidValue(
        'spec.resourceAttributes',
        null,
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ];
  return [];
}

export function attributesFromSpec(user: UserInfo, spec: Rec): Attributes {
  const ra = spec['resourceAttributes'];
  if (present(ra)) {
    const r = rec(ra);
    return {
      user,
      verb: s(r['verb']),
      isResourceRequest: true,
      path: '',
      namespace: s(r['namespace']),
      group: s(r['group']),
      version: s(r['version']),
      resource: s(r['resource']),
      subresource: s(r['subresource']),
      name: s(r['name']),
    };
  }
  const n = rec(spec['nonResourceAttributes']);
  return {
    user,
    verb: s(n['verb']),
    isResourceRequest: false,
    path: s(n['path']),
    namespace: '',
    group: '',
    version: '',
    resource: '',
    subresource: '',
    name: '',
  };
}

/** The user a (Local)SubjectAccessReview asks about: exactly what its spec says, nothing added. */
function userFromSpec(spec: Rec): UserInfo {
  const user: UserInfo = { name: s(spec['user']), groups: strs(spec['groups']) };
  if (s(spec['uid'])) user.uid = s(spec['uid']);
  const extra = Object.fromEntries(Object.entries(rec(spec['extra'])).map(([k, v]) => [k, strs(v)]));
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

async function accessReviewStatus(svc: VirtualServices, attrs: Attributes): Promise<Rec> {
  const r = await svc.authz.decide(attrs);
  const status: Rec = { allowed: r.decision === 'allow' };
  if (r.decision === 'deny') status['denied'] = true;
  if (r.reason) status['reason'] = r.reason;
  if (r.evaluationError) status['evaluationError'] = r.evaluationError;
  return status;
}

const bodyOf = (ctx: ResourceContext) =>
  readTypedBody(ctx, [{ apiVersion: groupVersion(ctx.def), kind: ctx.def.kind }]);

async function selfSubjectAccessReview(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  const body = await bodyOf(ctx);
  const spec = rec(body['spec']);
  const errs = specErrors(spec);
  if (!metadataIsEmpty(body.metadata)) errs.unshift(invalidValue('metadata', body.metadata, 'must be empty'));
  if (errs.length) throw invalid(ctx.def, '', errs);
  answer(ctx, body, await accessReviewStatus(svc, attributesFromSpec(ctx.user, spec)));
}

async function subjectAccessReview(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  const body = await bodyOf(ctx);
  const spec = rec(body['spec']);
  const local = ctx.def.namespaced;
  const meta = (body.metadata ??= {});
  const errs = specErrors(spec);
  if (!s(spec['user']) && strs(spec['groups']).length === 0)
    errs.push(invalidValue('spec.user', s(spec['user']), 'at least one of user or group must be specified'));
  if (local) {
    const ns = ctx.info.namespace;
    if (meta.namespace && meta.namespace !== ns)
      throw E.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    meta.namespace = ns;
    if (!metadataIsEmpty(meta, ['namespace']))
      errs.push(invalidValue('metadata', meta, 'must be empty except for namespace'));
    const ra = spec['resourceAttributes'];
    if (present(ra) && s(rec(ra)['namespace']) !== ns)
      errs.push(
        invalidValue(
          'spec.resourceAttributes.namespace',
          s(rec(ra)['namespace']),
          'must match metadata.namespace',
        ),
      );
    if (present(spec['nonResourceAttributes']))
      errs.push(
        invalidValue(
          'spec.nonResourceAttributes',
          spec['nonResourceAttributes'],
          'disallowed on this kind of request',
        ),
      );
  } else if (!metadataIsEmpty(meta)) {
    errs.unshift(invalidValue('metadata', meta, 'must be empty'));
  }
  if (errs.length) throw invalid(ctx.def, '', errs);
  answer(ctx, body, await accessReviewStatus(svc, attributesFromSpec(userFromSpec(spec), spec)));
}

async function selfSubjectRulesReview(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  const body = await bodyOf(ctx);
  const namespace = s(rec(body['spec'])['namespace']);
  if (!namespace) throw E.badRequest('no namespace on request');
  const rules = await svc.authz.rulesFor(ctx.user, namespace);
  const status: Rec = {
    resourceRules: rules.resourceRules,
    nonResourceRules: rules.nonResourceRules,
    incomplete: rules.incomplete,
  };
  if (rules.evaluationError) status['evaluationError'] = rules.evaluationError;
  answer(ctx, body, status);
}

function userInfoJson(user: UserInfo): Rec {
  const out: Rec = { username: user.name };
  if (user.uid) out['uid'] = user.uid;
  out['groups'] = user.groups;
  if (user.extra && Object.keys(user.extra).length) out['extra'] = user.extra;
  return out;
}

async function tokenReview(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  const body = await bodyOf(ctx);
  const spec = rec(body['spec']);
  const token = s(spec['token']);
  if (!token) throw E.badRequest('token is required for TokenReview in authentication');
  const requested = strs(spec['audiences']);
  const status: Rec = { authenticated: false };
  if (!svc.tokens || !svc.tokens.isOurs(token)) {
    status['user'] = {};
    status['error'] = 'invalid bearer token';
    answer(ctx, body, status);
    return;
  }
  const audiences = requested.length ? requested : svc.tokens.apiAudiences;
  try {
    const r = await authenticateServiceAccountToken(svc.tokens, svc.getObject, token, audiences);
    status['authenticated'] = true;
    status['user'] = userInfoJson(r.user);
    status['audiences'] = r.audiences;
  } catch (err) {
    if (!(err instanceof TokenInvalid)) throw err;
    status['user'] = {};
    status['error'] = `[invalid bearer token, ${err.message}]`;
  }
  answer(ctx, body, status);
}

async function selfSubjectReview(ctx: ResourceContext): Promise<void> {
  const body = await bodyOf(ctx);
  answer(ctx, body, { userInfo: userInfoJson(ctx.user) });
}

/** The handler of a review resource, by kind; undefined for other kinds. */
export function reviewHandler(
  def: ResourceDefinition,
): ((ctx: ResourceContext, svc: VirtualServices) => Promise<void>) | undefined {
  if (def.group === 'authorization.k8s.io') {
    if (def.kind === 'SelfSubjectAccessReview') return selfSubjectAccessReview;
    if (def.kind === 'SubjectAccessReview' || def.kind === 'LocalSubjectAccessReview')
      return subjectAccessReview;
    if (def.kind === 'SelfSubjectRulesReview') return selfSubjectRulesReview;
  }
  if (def.group === 'authentication.k8s.io') {
    if (def.kind === 'TokenReview') return tokenReview;
    if (def.kind === 'SelfSubjectReview') return (ctx) => selfSubjectReview(ctx);
  }
  return undefined;
}
