import { finalSnapshotId } from '../../reconcilers/db-instance/steps.js';
import { allow, type Statement } from '../document.js';
import type { Scope } from '../scope.js';

/**
 * Prune deletes what this controller owns and no manifest names: the ownership tag is the only limit there can be,
 * and services and DBs (which serve traffic or hold data) also need the destructive opt-in tag on them.
 */
export function pruneStatements(s: Scope): Statement[] {
  return [
    allow('PruneOwnedEcsServices', ['ecs:DeleteService'], [s.arn('ecs', 'service/*/*')], s.destructive),
    // A pruned primary loses its deletion protection, then is deleted with a final snapshot (authorized on both).
    allow('PruneOwnedDbInstances', ['rds:ModifyDBInstance', 'rds:DeleteDBInstance', 'rds:CreateDBSnapshot'], [s.arn('rds', 'db:*')], s.destructive),
    allow('PruneFinalSnapshots', ['rds:CreateDBSnapshot', 'rds:AddTagsToResource'], [s.arn('rds', `snapshot:${finalSnapshotId('*')}`)]),
    allow('PruneOwnedAlarms', ['cloudwatch:DeleteAlarms'], [s.arn('cloudwatch', 'alarm:*')], s.owned),
    // Dashboards and scalable targets carry no tags IAM can check: their owned ones are found by marker and by service.
    allow('PruneOwnedDashboards', ['cloudwatch:DeleteDashboards'], [s.globalArn('cloudwatch', 'dashboard/*')]),
    allow(
      'PruneOwnedScalableTargets',
      ['application-autoscaling:DeleteScalingPolicy', 'application-autoscaling:DeregisterScalableTarget'],
      [s.arn('application-autoscaling', 'scalable-target/*')],
      { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } },
    ),
  ];
}

/** Reading any dashboard's body: the ownership marker is how prune knows a dashboard no manifest names is Ballast's. */
export function dashboardDiscoveryStatements(s: Scope): Statement[] {
  return [allow('CloudWatchReadDashboardMarkers', ['cloudwatch:GetDashboard'], [s.globalArn('cloudwatch', 'dashboard/*')])];
}
