/**
 * Authorization: a chain of authorizers asked in order; the first that allows or denies decides, and a
 * request nobody allows is forbidden with the message Kubernetes gives. The chain also answers rules
 * listings (the union of what each authorizer grants) for SelfSubjectRulesReview.
 */
import * as E from '../../apimachinery/errors.js';
import type { UserInfo } from '../authn/user.js';
import type { RequestInfo } from '../request-info.js';
import { grantsAuthorizer } from './rules.js';
import type { Attributes, Authorizer, AuthzResult, RulesResult } from './types.js';

export type { Attributes, Authorizer, AuthzResult, Decision, RulesResult } from './types.js';

/** Members of system:masters may do anything, as in Kubernetes. */
export const mastersAuthorizer: Authorizer = grantsAuthorizer('system:masters', [
  {
    groups: ['system:masters'],
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  },
]);

/** The users the control-plane components authenticate as, with their own client certificates. */
export const CONTROLLER_MANAGER_USER = 'system:kube-controller-manager';
export const SCHEDULER_USER = 'system:kube-scheduler';

/**
 * The control-plane components may do anything. This stands in for their bootstrap RBAC roles
 * (system:kube-controller-manager, system:kube-scheduler) until RBAC is in the chain.
 */
export const controlPlaneAuthorizer: Authorizer = grantsAuthorizer('control-plane', [
  {
    groups: [],
    users: [CONTROLLER_MANAGER_USER, SCHEDULER_USER],
    resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  },
]);

/** The group every kubelet's user (`system:node:<name>`) is in. */
export const NODES_GROUP = 'system:nodes';
/** The one client identity of the simulated nodes' stand-in kubelet (it acts for all of them). */
export const SIMULATED_NODE_USER = 'system:node:simulated';

/**
 * STAND-IN until RBAC and the Node authorizer are in the chain: members of system:nodes may do what the
 * system:node ClusterRole lets a kubelet do with nodes, pods, leases and events. Unlike the Node
 * authorizer it does not yet limit a kubelet to its own node and that node's pods.
 */
export const nodesAuthorizer: Authorizer = grantsAuthorizer('nodes', [
  {
    groups: [NODES_GROUP],
    resourceRules: [
      {
        verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'],
        apiGroups: [''],
        resources: ['nodes'],
      },
      { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes/status'] },
      { verbs: ['get', 'list', 'watch', 'create', 'delete'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['update', 'patch'], apiGroups: [''], resources: ['pods/status'] },
      { verbs: ['create'], apiGroups: [''], resources: ['pods/eviction'] },
      {
        verbs: ['get', 'create', 'update', 'patch', 'delete'],
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
      },
      { verbs: ['create', 'update', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
      { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['services', 'endpoints'] },
    ],
  },
]);

const PUBLIC_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/**
 * What every client may do, as Kubernetes' bootstrap roles grant it: read health and version
 * (system:public-info-viewer, also unauthenticated), read discovery and OpenAPI (system:discovery), and
 * ask about itself (system:basic-user: self access/rules reviews, SelfSubjectReview); service
 * accounts may also read the token issuer's discovery documents.
 */
export const publicInfoAuthorizer: Authorizer = grantsAuthorizer('public-info', [
  {
    groups: ['system:authenticated', 'system:unauthenticated'],
    nonResourceRules: [
      // The per-check paths (/readyz/etcd ...) too, which kube-apiserver also serves to everyone.
      { verbs: ['get'], nonResourceURLs: [...PUBLIC_URLS, '/healthz/*', '/livez/*', '/readyz/*'] },
    ],
  },
  {
    groups: ['system:authenticated'],
    nonResourceRules: [
      {
        verbs: ['get'],
        nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', ...PUBLIC_URLS],
      },
    ],
    resourceRules: [
      {
        verbs: ['create'],
        apiGroups: ['authorization.k8s.io'],
        resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
    ],
  },
  {
    // system:service-account-issuer-discovery: service accounts may read the token issuer's keys.
    groups: ['system:serviceaccounts'],
    nonResourceRules: [
      {
        verbs: ['get'],
        nonResourceURLs: [
          '/.well-known/openid-configuration',
          '/.well-known/openid-configuration/',
          '/openid/v1/jwks',
          '/openid/v1/jwks/',
        ],
      },
    ],
  },
]);

export class AuthorizerChain {
  constructor(private readonly authorizers: Authorizer[]) {}

  /** The decision on one set of attributes (SubjectAccessReview and every request). */
  async decide(attrs: Attributes): Promise<AuthzResult> {
    const reasons: string[] = [];
    const errors: string[] = [];
    for (const a of this.authorizers) {
      const r = await a.authorize(attrs);
      if (r.decision !== 'no-opinion') return r;
      if (r.reason) reasons.push(r.reason);
      if (r.evaluationError) errors.push(r.evaluationError);
    }
    const result: AuthzResult = { decision: 'no-opinion', reason: reasons.join('\n') };
    if (errors.length) result.evaluationError = errors.join(', ');
    return result;
  }

  /** Throws Forbidden unless the request is allowed. */
  async authorize(user: UserInfo, info: RequestInfo): Promise<void> {
    const attrs = attributesOf(user, info);
    const r = await this.decide(attrs);
    if (r.decision !== 'allow') throw forbiddenFor(attrs, r.reason);
  }

  /** Everything the chain grants `user` in `namespace`: the union of every authorizer's rules. */
  async rulesFor(user: UserInfo, namespace: string): Promise<RulesResult> {
    const out: RulesResult = { resourceRules: [], nonResourceRules: [], incomplete: false };
    const errors: string[] = [];
    for (const a of this.authorizers) {
      const r = await a.rulesFor(user, namespace);
      out.resourceRules.push(...r.resourceRules);
      out.nonResourceRules.push(...r.nonResourceRules);
      if (r.incomplete) out.incomplete = true;
      if (r.evaluationError) errors.push(r.evaluationError);
    }
    if (errors.length) out.evaluationError = errors.join(', ');
    return out;
  }
}

export function attributesOf(user: UserInfo, info: RequestInfo): Attributes {
  return {
    user,
    verb: info.verb,
    isResourceRequest: info.isResourceRequest,
    path: info.path,
    namespace: info.namespace,
    group: info.group,
    version: info.version,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
  };
}

/** kube-apiserver's Forbidden text: `pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "y"`. */
export function forbiddenFor(a: Attributes, reason = ''): E.StatusError {
  const why = reason ? `: ${reason}` : '';
  if (!a.isResourceRequest)
    return new E.StatusError(
      403,
      'Forbidden',
      `forbidden: User "${a.user.name}" cannot ${a.verb} path "${a.path}"${why}`,
      {},
    );
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  const text = `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}"${scope}${why}`;
  return E.forbidden({ group: a.group, resource: a.resource }, a.name, text);
}
