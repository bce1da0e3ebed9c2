// Field facts of k8s.io/api autoscaling/v1 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { message, type MessageDef } from '../schema.js';

export const autoscalingV1: MessageDef[] = [
  message('Scale', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'ScaleSpec', 'o'],
    3: ['status', 'ScaleStatus', 'o'],
  }),
  message('ScaleSpec', {
    1: ['replicas', 'int32', 'o'],
  }),
  message('ScaleStatus', {
    1: ['replicas', 'int32'],
    2: ['selector', 'string', 'o'],
  }),
  message('autoscaling.v1.HorizontalPodAutoscaler', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'autoscaling.v1.HorizontalPodAutoscalerSpec', 'o'],
    3: ['status', 'autoscaling.v1.HorizontalPodAutoscalerStatus', 'o'],
  }),
  message('autoscaling.v1.HorizontalPodAutoscalerSpec', {
    1: ['scaleTargetRef', 'autoscaling.v1.CrossVersionObjectReference'],
    2: ['minReplicas', 'int32', 'op'],
    3: ['maxReplicas', 'int32'],
    4: ['targetCPUUtilizationPercentage', 'int32', 'op'],
  }),
  message('autoscaling.v1.CrossVersionObjectReference', {
    1: ['kind', 'string'],
    2: ['name', 'string'],
    3: ['apiVersion', 'string', 'o'],
  }),
  message('autoscaling.v1.HorizontalPodAutoscalerStatus', {
    1: ['observedGeneration', 'int64', 'op'],
    2: ['lastScaleTime', 'Time', 'op'],
    3: ['currentReplicas', 'int32'],
    4: ['desiredReplicas', 'int32'],
    5: ['currentCPUUtilizationPercentage', 'int32', 'op'],
  }),
];
