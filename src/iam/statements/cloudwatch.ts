import type { Alarm, Dashboard } from '../../schema/index.js';
import { allow } from '../document.js';
import type { Scope } from '../scope.js';
import { add, type Grants } from './grants.js';

export function alarmStatements(alarms: Alarm[], s: Scope, grants: Grants): void {
  const byName = s.named(
    alarms.map((m) => m.metadata.name),
    (n) => s.arn('cloudwatch', `alarm:${n}`),
  );
  grants.unscoped.add('cloudwatch:DescribeAlarms');
  add(
    grants,
    // PutMetricAlarm creates and replaces alike: a create carries the ownership tags (authorized as TagResource too)
    // and must find no owner on the name; a replace needs the alarm to be this controller's already.
    allow('CloudWatchCreateAlarms', ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'], byName, s.claiming),
    allow('CloudWatchChangeOwnedAlarms', ['cloudwatch:PutMetricAlarm'], byName, s.owned),
  );
}

export function dashboardStatements(dashboards: Dashboard[], s: Scope, grants: Grants): void {
  // Ballast does not tag dashboards, so their names are the only limit, in either scope.
  const byName = s.names(dashboards.map((m) => m.metadata.name)).map((n) => s.globalArn('cloudwatch', `dashboard/${n}`));
  add(grants, allow('CloudWatchDashboards', ['cloudwatch:GetDashboard', 'cloudwatch:PutDashboard'], byName));
}
