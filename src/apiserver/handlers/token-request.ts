/**
 * POST serviceaccounts/NAME/token (TokenRequest, `kubectl create token`): a signed service account
 * token for the audiences and lifetime asked for, optionally bound to a pod, secret or node, with
 * kube-apiserver's defaults (the API audiences, one hour) and limits (at least ten minutes).
 */
import * as E from '../../apimachinery/errors.js';
import { invalidValue } from '../../apimachinery/meta.js';
import type { StoredObject } from '../../apimachinery/meta.js';
import { at, text } from '../../api/printing.js';
import {
  EXTENDED_EXPIRATION_SECONDS,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
} from '../authn/service-account-token.js';
import type { IssueRequest } from '../authn/service-account-token.js';
import type { ResourceContext } from './resources.js';
import { defOf, readTypedBody, respond } from './virtual-io.js';
import type { VirtualServices } from './virtual-io.js';

const TOKEN_REQUEST = { group: 'authentication.k8s.io', resource: 'tokenrequests', kind: 'TokenRequest' };
const DEFAULT_EXPIRATION_SECONDS = 60 * 60;
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

export async function tokenRequest(ctx: ResourceContext, svc: VirtualServices): Promise<void> {
  if (!svc.tokens) throw E.serviceUnavailable('this server has no service account signing key');
  const namespace = ctx.info.namespace;
  const name = ctx.info.name;
  const req = await readTypedBody(ctx, [{ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' }]);
  const meta = (req.metadata ??= {});
  if (meta.name && meta.name !== name)
    throw E.invalid(TOKEN_REQUEST, name, [
      invalidValue('metadata.name', meta.name, 'must match the service account name if specified'),
    ]);
  if (meta.namespace && meta.namespace !== namespace)
    throw E.invalid(TOKEN_REQUEST, name, [
      invalidValue(
        'metadata.namespace',
        meta.namespace,
        'must match the service account namespace if specified',
      ),
    ]);
  const sa = await ctx.objects.get(defOf(svc, '', 'v1', 'serviceaccounts'), namespace, name);

  const spec = rec((req['spec'] ??= {}));
  const audiences =
    Array.isArray(spec['audiences']) && spec['audiences'].length
      ? (spec['audiences'] as string[])
      : svc.tokens.apiAudiences;
  spec['audiences'] = audiences;
  const expiration = Number(spec['expirationSeconds'] ?? DEFAULT_EXPIRATION_SECONDS);
  spec['expirationSeconds'] = expiration;
  meta.name ??= name;
  meta.namespace ??= namespace;
  const nowTime = new Date();
  meta.creationTimestamp = nowTime.toISOString().replace(/\.\d{3}Z$/, 'Z');
  delete req['status'];
  if (!Number.isInteger(expiration) || expiration < MIN_EXPIRATION_SECONDS)
    throw E.invalid(TOKEN_REQUEST, '', [
      invalidValue('spec.expirationSeconds', expiration, 'may not specify a duration less than 10 minutes'),
    ]);
  if (expiration > MAX_EXPIRATION_SECONDS)
    throw E.invalid(TOKEN_REQUEST, '', [
      invalidValue(
        'spec.expirationSeconds',
        expiration,
        'may not specify a duration larger than 2^32 seconds',
      ),
    ]);

  const issue: IssueRequest = {
    namespace,
    serviceAccount: { name: sa.metadata.name, uid: sa.metadata.uid },
    audiences,
    expirationSeconds: expiration,
    now: nowTime,
  };
  const ref =
    spec['boundObjectRef'] === undefined || spec['boundObjectRef'] === null
      ? undefined
      : rec(spec['boundObjectRef']);
  if (ref) {
    const kind = text(ref['kind']);
    const apiVersion = text(ref['apiVersion']);
    const refName = text(ref['name']);
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
    let bound: StoredObject;
    if (group === '' && kind === 'Pod') {
      bound = await ctx.objects.get(defOf(svc, '', 'v1', 'pods'), namespace, refName);
      if (at(bound, 'spec.serviceAccountName') !== name)
        throw E.badRequest(
          `cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`,
        );
      issue.pod = { name: bound.metadata.name, uid: bound.metadata.uid };
      const nodeName = at(bound, 'spec.nodeName');
      if (typeof nodeName === 'string' && nodeName) {
        // A node that does not exist (yet) is still named, without a uid, as kube-apiserver does.
        const node = await svc.getObject('nodes', undefined, nodeName);
        issue.node = node ? { name: nodeName, uid: node.metadata.uid } : { name: nodeName };
      }
    } else if (group === '' && kind === 'Secret') {
      bound = await ctx.objects.get(defOf(svc, '', 'v1', 'secrets'), namespace, refName);
      issue.secret = { name: bound.metadata.name, uid: bound.metadata.uid };
    } else if (group === '' && kind === 'Node') {
      bound = await ctx.objects.get(defOf(svc, '', 'v1', 'nodes'), undefined, refName);
      issue.node = { name: bound.metadata.name, uid: bound.metadata.uid };
    } else {
      throw E.badRequest(
        `cannot bind token to object of type ${group ? `${group}/` : '/'}${apiVersion.split('/').at(-1)}, Kind=${kind}`,
      );
    }
    if (ref['uid'] && ref['uid'] !== bound.metadata.uid)
      throw E.conflict(
        { group, resource: kind },
        refName,
        `the UID in the bound object reference (${text(ref['uid'])}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
  }
  // kubelet's pod tokens keep working for a year but are reported as stale after the hour they asked for.
  if (
    issue.pod &&
    expiration === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS &&
    audiences.every((a) => svc.tokens!.apiAudiences.includes(a))
  ) {
    issue.warnAfterSeconds = expiration;
    issue.expirationSeconds = EXTENDED_EXPIRATION_SECONDS;
  }
  const { token } = await svc.tokens.issue(issue);
  const expires = new Date(nowTime.getTime() + expiration * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  respond(ctx, 201, {
    ...req,
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    status: { token, expirationTimestamp: expires },
  });
}
