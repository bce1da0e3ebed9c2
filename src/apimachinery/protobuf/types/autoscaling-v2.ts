// Field facts of k8s.io/api autoscaling/v2 at v0.36.3 (3fde3c43c3cf): numbers and
// wire types from generated.proto; JSON name, omitempty/omitzero, pointer and inlining from types.go tags.
import { message, repeated, type MessageDef } from '../schema.js';

export const autoscalingV2: MessageDef[] = [
  message('autoscaling.v2.HorizontalPodAutoscaler', {
    1: ['metadata', 'ObjectMeta', 'o'],
    2: ['spec', 'autoscaling.v2.HorizontalPodAutoscalerSpec', 'o'],
    3: ['status', 'autoscaling.v2.HorizontalPodAutoscalerStatus', 'o'],
  }),
  message('autoscaling.v2.HorizontalPodAutoscalerSpec', {
    1: ['scaleTargetRef', 'autoscaling.v2.CrossVersionObjectReference'],
    2: ['minReplicas', 'int32', 'op'],
    3: ['maxReplicas', 'int32'],
    4: ['metrics', repeated('MetricSpec'), 'o'],
    5: ['behavior', 'HorizontalPodAutoscalerBehavior', 'op'],
  }),
  message('autoscaling.v2.CrossVersionObjectReference', {
    1: ['kind', 'string'],
    2: ['name', 'string'],
    3: ['apiVersion', 'string', 'o'],
  }),
  message('MetricSpec', {
    1: ['type', 'string'],
    2: ['object', 'ObjectMetricSource', 'op'],
    3: ['pods', 'PodsMetricSource', 'op'],
    4: ['resource', 'ResourceMetricSource', 'op'],
    7: ['containerResource', 'ContainerResourceMetricSource', 'op'],
    5: ['external', 'ExternalMetricSource', 'op'],
  }),
  message('ObjectMetricSource', {
    1: ['describedObject', 'autoscaling.v2.CrossVersionObjectReference'],
    2: ['target', 'MetricTarget'],
    3: ['metric', 'MetricIdentifier'],
  }),
  message('MetricTarget', {
    1: ['type', 'string'],
    2: ['value', 'Quantity', 'op'],
    3: ['averageValue', 'Quantity', 'op'],
    4: ['averageUtilization', 'int32', 'op'],
  }),
  message('MetricIdentifier', {
    1: ['name', 'string'],
    2: ['selector', 'LabelSelector', 'op'],
  }),
  message('PodsMetricSource', {
    1: ['metric', 'MetricIdentifier'],
    2: ['target', 'MetricTarget'],
  }),
  message('ResourceMetricSource', {
    1: ['name', 'string'],
    2: ['target', 'MetricTarget'],
  }),
  message('ContainerResourceMetricSource', {
    1: ['name', 'string'],
    2: ['target', 'MetricTarget'],
    3: ['container', 'string'],
  }),
  message('ExternalMetricSource', {
    1: ['metric', 'MetricIdentifier'],
    2: ['target', 'MetricTarget'],
  }),
  message('HorizontalPodAutoscalerBehavior', {
    1: ['scaleUp', 'HPAScalingRules', 'op'],
    2: ['scaleDown', 'HPAScalingRules', 'op'],
  }),
  message('HPAScalingRules', {
    3: ['stabilizationWindowSeconds', 'int32', 'op'],
    1: ['selectPolicy', 'string', 'op'],
    2: ['policies', repeated('HPAScalingPolicy'), 'o'],
    4: ['tolerance', 'Quantity', 'op'],
  }),
  message('HPAScalingPolicy', {
    1: ['type', 'string'],
    2: ['value', 'int32'],
    3: ['periodSeconds', 'int32'],
  }),
  message('autoscaling.v2.HorizontalPodAutoscalerStatus', {
    1: ['observedGeneration', 'int64', 'op'],
    2: ['lastScaleTime', 'Time', 'op'],
    3: ['currentReplicas', 'int32', 'o'],
    4: ['desiredReplicas', 'int32'],
    5: ['currentMetrics', repeated('MetricStatus')],
    6: ['conditions', repeated('HorizontalPodAutoscalerCondition'), 'o'],
  }),
  message('MetricStatus', {
    1: ['type', 'string'],
    2: ['object', 'ObjectMetricStatus', 'op'],
    3: ['pods', 'PodsMetricStatus', 'op'],
    4: ['resource', 'ResourceMetricStatus', 'op'],
    7: ['containerResource', 'ContainerResourceMetricStatus', 'op'],
    5: ['external', 'ExternalMetricStatus', 'op'],
  }),
  message('ObjectMetricStatus', {
    1: ['metric', 'MetricIdentifier'],
    2: ['current', 'MetricValueStatus'],
    3: ['describedObject', 'autoscaling.v2.CrossVersionObjectReference'],
  }),
  message('MetricValueStatus', {
    1: ['value', 'Quantity', 'op'],
    2: ['averageValue', 'Quantity', 'op'],
    3: ['averageUtilization', 'int32', 'op'],
  }),
  message('PodsMetricStatus', {
    1: ['metric', 'MetricIdentifier'],
    2: ['current', 'MetricValueStatus'],
  }),
  message('ResourceMetricStatus', {
    1: ['name', 'string'],
    2: ['current', 'MetricValueStatus'],
  }),
  message('ContainerResourceMetricStatus', {
    1: ['name', 'string'],
    2: ['current', 'MetricValueStatus'],
    3: ['container', 'string'],
  }),
  message('ExternalMetricStatus', {
    1: ['metric', 'MetricIdentifier'],
    2: ['current', 'MetricValueStatus'],
  }),
  message('HorizontalPodAutoscalerCondition', {
    1: ['type', 'string'],
    2: ['status', 'string'],
    3: ['lastTransitionTime', 'Time', 'o'],
    4: ['reason', 'string', 'o'],
    5: ['message', 'string', 'o'],
  }),
];
