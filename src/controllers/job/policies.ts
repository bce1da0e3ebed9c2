/**
 * The two Job policies that judge finished pods: `podFailurePolicy` (what a failed pod means: fail
 * the Job, fail its index, ignore it, or count it against backoffLimit) and `successPolicy` (which
 * succeeded indexes are enough for an Indexed Job to succeed early).
 */
import type { Job, Pod } from '../../client/objects.js';
import { IndexSet } from './indexes.js';

type PodFailurePolicy = NonNullable<NonNullable<Job['spec']>['podFailurePolicy']>;
type Rule = PodFailurePolicy['rules'][number];
export type PodFailureAction = Rule['action'];

export interface PodFailureMatch {
  /** Set when a FailJob rule matched: the message of the Job's failure condition. */
  failJobMessage?: string;
  /** Whether the failure counts against backoffLimit (false only for Ignore). */
  countFailed: boolean;
  action?: PodFailureAction;
}

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

function exitCodeMatch(pod: Pod, req: NonNullable<Rule['onExitCodes']>): ContainerStatus | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  return statuses.find((s) => {
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) return false;
    if (req.containerName && req.containerName !== s.name) return false;
    const listed = req.values.includes(code);
    return req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false;
  });
}

/** How `policy` judges the failed `pod` (the first matching rule wins). */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PodFailureMatch {
  if (!policy) return { countFailed: true };
  for (const [index, rule] of policy.rules.entries()) {
    let what: string | undefined;
    if (rule.onExitCodes) {
      const s = exitCodeMatch(pod, rule.onExitCodes);
      if (s)
        what = `Container ${s.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${s.state!.terminated!.exitCode}`;
    } else if (rule.onPodConditions) {
      const c = (pod.status?.conditions ?? []).find((pc) =>
        rule.onPodConditions!.some((p) => p.type === pc.type && (p.status ?? 'True') === pc.status),
      );
      if (c) what = `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${c.type}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'Ignore':
        return { countFailed: false, action: 'Ignore' };
      case 'Count':
        return { countFailed: true, action: 'Count' };
      case 'FailIndex':
        return { countFailed: true, action: 'FailIndex' };
      case 'FailJob':
        return {
          countFailed: true,
          action: 'FailJob',
          failJobMessage: `${what} matching FailJob rule at index ${index}`,
        };
    }
  }
  return { countFailed: true };
}

type SuccessPolicy = NonNullable<NonNullable<Job['spec']>['successPolicy']>;

/** The SuccessCriteriaMet message when `succeeded` satisfies a rule of `policy`. */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined,
  completions: number,
  succeeded: IndexSet,
): string | undefined {
  if (!policy || succeeded.total === 0) return undefined;
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.succeededIndexes !== undefined) {
      const required = IndexSet.parse(rule.succeededIndexes, completions);
      if (required.total === 0) continue;
      const contained = required.intervals.reduce(
        (n, iv) =>
          n +
          succeeded.intervals.reduce(
            (m, s) => m + Math.max(0, Math.min(iv.last, s.last) - Math.max(iv.first, s.first) + 1),
            0,
          ),
        0,
      );
      if (
        contained === required.total ||
        (rule.succeededCount !== undefined && contained >= rule.succeededCount)
      )
        return `Matched rules at index ${index}`;
    } else if (rule.succeededCount !== undefined && succeeded.total >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
