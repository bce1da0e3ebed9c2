/**
 * Policy rules in RBAC's shape (verbs × API groups × resources × names, and verbs × non-resource URLs),
 * the matching RBAC does, and an authorizer made of fixed grants to groups. The same rules answer both
 * "may this user do this?" (SubjectAccessReview, every request) and "what may this user do?"
 * (SelfSubjectRulesReview, `kubectl auth can-i --list`).
 */
import type { UserInfo } from '../authn/user.js';
import type { Attributes, Authorizer, AuthzResult, RulesResult } from './types.js';

export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

const ALL = '*';

const verbMatches = (verbs: string[], verb: string) => verbs.includes(ALL) || verbs.includes(verb);

/** RBAC's resource matching: `*`, the exact `resource/subresource`, or `*\/subresource`. */
function resourceMatches(resources: string[], resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return resources.some(
    (r) => r === ALL || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
}

/** A trailing `*` matches any path with that prefix, as in RBAC. */
function urlMatches(urls: string[], path: string): boolean {
  return urls.some((u) => u === ALL || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

export function resourceRuleAllows(rule: ResourceRule, a: Attributes): boolean {
  return (
    verbMatches(rule.verbs, a.verb) &&
    (rule.apiGroups.includes(ALL) || rule.apiGroups.includes(a.group)) &&
    resourceMatches(rule.resources, a.resource, a.subresource) &&
    (!rule.resourceNames?.length || rule.resourceNames.includes(a.name))
  );
}

export function nonResourceRuleAllows(rule: NonResourceRule, a: Attributes): boolean {
  return verbMatches(rule.verbs, a.verb) && urlMatches(rule.nonResourceURLs, a.path);
}

export function rulesAllow(
  rules: { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[] },
  a: Attributes,
): boolean {
  return a.isResourceRequest
    ? rules.resourceRules.some((r) => resourceRuleAllows(r, a))
    : rules.nonResourceRules.some((r) => nonResourceRuleAllows(r, a));
}

/** Rules granted to every member of any of `groups`. */
export interface Grant {
  groups: string[];
  /** Users the grant applies to whatever their groups. */
  users?: string[];
  resourceRules?: ResourceRule[];
  nonResourceRules?: NonResourceRule[];
  /** Said in the review's `reason` when this grant allows a request. */
  reason?: string;
}

/** An authorizer of fixed grants: allows what a grant to one of the user's groups allows, else no opinion. */
export function grantsAuthorizer(name: string, grants: Grant[]): Authorizer {
  const applying = (user: UserInfo) =>
    grants.filter((g) => g.groups.some((x) => user.groups.includes(x)) || g.users?.includes(user.name));
  return {
    name,
    authorize(a: Attributes): AuthzResult {
      for (const g of applying(a.user)) {
        if (
          rulesAllow({ resourceRules: g.resourceRules ?? [], nonResourceRules: g.nonResourceRules ?? [] }, a)
        )
          return { decision: 'allow', reason: g.reason ?? '' };
      }
      return { decision: 'no-opinion', reason: '' };
    },
    rulesFor(user: UserInfo): RulesResult {
      const gs = applying(user);
      return {
        resourceRules: gs.flatMap((g) => g.resourceRules ?? []),
        nonResourceRules: gs.flatMap((g) => g.nonResourceRules ?? []),
        incomplete: false,
      };
    },
  };
}
