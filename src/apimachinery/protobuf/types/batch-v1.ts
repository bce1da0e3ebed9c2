// Field facts of k8s.io/api batch/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { message, repeated, type MessageDef } from '../schema.js';

export const batchV1: MessageDef[] = [
  message('Job', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'JobSpec', 'o'],
    3: ['status', 'JobStatus', 'o'],
  }),
  message('JobSpec', {
    1: ['parallelism', 'int32', 'op'],
    2: ['completions', 'int32', 'op'],
    3: ['activeDeadlineSeconds', 'int64', 'op'],
    11: ['podFailurePolicy', 'PodFailurePolicy', 'op'],
    16: ['successPolicy', 'SuccessPolicy', 'op'],
    7: ['backoffLimit', 'int32', 'op'],
    12: ['backoffLimitPerIndex', 'int32', 'op'],
    13: ['maxFailedIndexes', 'int32', 'op'],
    4: ['selector', 'LabelSelector', 'op'],
    5: ['manualSelector', 'bool', 'op'],
    6: ['template', 'PodTemplateSpec'],
    8: ['ttlSecondsAfterFinished', 'int32', 'op'],
    9: ['completionMode', 'string', 'op'],
    10: ['suspend', 'bool', 'op'],
    14: ['podReplacementPolicy', 'string', 'op'],
    15: ['managedBy', 'string', 'op'],
  }),
  message('PodFailurePolicy', {
    1: ['rules', repeated('PodFailurePolicyRule')],
  }),
  message('PodFailurePolicyRule', {
    1: ['action', 'string'],
    2: ['onExitCodes', 'PodFailurePolicyOnExitCodesRequirement', 'op'],
    3: ['onPodConditions', repeated('PodFailurePolicyOnPodConditionsPattern'), 'o'],
  }),
  message('PodFailurePolicyOnExitCodesRequirement', {
    1: ['containerName', 'string', 'op'],
    2: ['operator', 'string'],
    3: ['values', repeated('int32')],
  }),
  message('PodFailurePolicyOnPodConditionsPattern', {
    1: ['type', 'string'],
    2: ['status', 'string'],
  }),
  message('SuccessPolicy', {
    1: ['rules', repeated('SuccessPolicyRule')],
  }),
  message('SuccessPolicyRule', {
    1: ['succeededIndexes', 'string', 'op'],
    2: ['succeededCount', 'int32', 'op'],
  }),
  message('JobStatus', {
    1: ['conditions', repeated('JobCondition'), 'o'],
    2: ['startTime', 'Time', 'op'],
    3: ['completionTime', 'Time', 'op'],
    4: ['active', 'int32', 'o'],
    5: ['succeeded', 'int32', 'o'],
    6: ['failed', 'int32', 'o'],
    11: ['terminating', 'int32', 'op'],
    7: ['completedIndexes', 'string', 'o'],
    10: ['failedIndexes', 'string', 'op'],
    8: ['uncountedTerminatedPods', 'UncountedTerminatedPods', 'op'],
    9: ['ready', 'int32', 'op'],
  }),
  message('JobCondition', {
    1: ['type', 'string'],
    2: ['status', 'string'],
    3: ['lastProbeTime', 'Time', 'o'],
    4: ['lastTransitionTime', 'Time', 'o'],
    5: ['reason', 'string', 'o'],
    6: ['message', 'string', 'o'],
  }),
  message('UncountedTerminatedPods', {
    1: ['succeeded', repeated('string'), 'o'],
    2: ['failed', repeated('string'), 'o'],
  }),
  message('CronJob', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'CronJobSpec', 'o'],
    3: ['status', 'CronJobStatus', 'o'],
  }),
  message('CronJobSpec', {
    1: ['schedule', 'string'],
    8: ['timeZone', 'string', 'op'],
    2: ['startingDeadlineSeconds', 'int64', 'op'],
    3: ['concurrencyPolicy', 'string', 'o'],
    4: ['suspend', 'bool', 'op'],
    5: ['jobTemplate', 'JobTemplateSpec'],
    6: ['successfulJobsHistoryLimit', 'int32', 'op'],
    7: ['failedJobsHistoryLimit', 'int32', 'op'],
  }),
  message('JobTemplateSpec', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'JobSpec', 'o'],
  }),
  message('CronJobStatus', {
    1: ['active', repeated('ObjectReference'), 'o'],
    4: ['lastScheduleTime', 'Time', 'op'],
    5: ['lastSuccessfulTime', 'Time', 'op'],
  }),
];
