/**
 * The authorizer interface, shaped like Kubernetes' authorizer.Authorizer plus its RuleResolver: every
 * authorizer answers a single check of request attributes and lists the rules it grants a subject.
 */
import type { UserInfo } from '../authn/user.js';
import type { NonResourceRule, ResourceRule } from './rules.js';

export type Decision = 'allow' | 'deny' | 'no-opinion';

/** What is being asked, by whom: the fields of a RequestInfo or of a SubjectAccessReview's spec. */
export interface Attributes {
  user: UserInfo;
  /** get, list, create, ... for resources; the lower-case HTTP method for non-resource paths. */
  verb: string;
  isResourceRequest: boolean;
  path: string;
  namespace: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface AuthzResult {
  decision: Decision;
  /** Why, for SubjectAccessReview's status.reason and Forbidden messages; empty when nothing to say. */
  reason: string;
  evaluationError?: string;
}

export interface RulesResult {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** True when the authorizer could not list everything it would allow. */
  incomplete: boolean;
  evaluationError?: string;
}

export interface Authorizer {
  name: string;
  authorize(attrs: Attributes): AuthzResult | Promise<AuthzResult>;
  /** The rules this authorizer grants `user` in `namespace` (cluster-wide rules included). */
  rulesFor(user: UserInfo, namespace: string): RulesResult | Promise<RulesResult>;
}
