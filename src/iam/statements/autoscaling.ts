import type { EcsService, ServiceAutoscaling } from '../../schema/index.js';
import { allow } from '../document.js';
import type { Scope } from '../scope.js';
import { add, type Grants } from './grants.js';

const ECS_TARGETS = { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } };

export function autoscalingStatements(targets: ServiceAutoscaling[], s: Scope, grants: Grants): void {
  for (const a of ['DescribeScalableTargets', 'DescribeScalingPolicies', 'DescribeScheduledActions']) grants.unscoped.add(`application-autoscaling:${a}`);
  grants.unscoped.add('cloudwatch:DescribeAlarms');
  const clusterOf = (service: string) =>
    s.manifests.find((m): m is EcsService => m.kind === 'EcsService' && m.metadata.name === service)?.spec.cluster ?? '*';
  const anyTarget = [s.arn('application-autoscaling', 'scalable-target/*')];
  add(
    grants,
    // Scalable target ARNs carry a random id, so the namespace and dimension conditions are what narrow these.
    allow(
      'AutoScalingEcsServiceTargets',
      [
        'application-autoscaling:RegisterScalableTarget',
        'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:PutScheduledAction',
        'application-autoscaling:DeleteScheduledAction',
      ],
      anyTarget,
      ECS_TARGETS,
    ),
    // A new target is tagged in the same call, authorized as TagResource, which knows no namespace or dimension key.
    allow('AutoScalingTagNewTargets', ['application-autoscaling:TagResource'], anyTarget, s.tagging),
    // Target tracking creates and deletes its CloudWatch alarms with the caller's permissions.
    allow(
      'AutoScalingTargetTrackingAlarms',
      ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
      s.named(
        targets.map((m) => m.spec.service),
        (n) => s.arn('cloudwatch', n === '*' ? 'alarm:TargetTracking-service/*' : `alarm:TargetTracking-service/${clusterOf(n)}/${n}-*`),
      ),
    ),
    allow('AutoScalingServiceLinkedRole', ['iam:CreateServiceLinkedRole'], [s.globalArn('iam', 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService')], {
      StringEquals: { 'iam:AWSServiceName': 'ecs.application-autoscaling.amazonaws.com' },
    }),
  );
}
