import type { Alarm, DbInstance, EcsService, Kind, Manifest, ServiceAutoscaling, Dashboard } from '../schema/index.js';
import type { Problem } from '../problem.js';
import type { ValidDocument } from './schema.js';
import { problemAt } from './schema.js';
import type { Path } from './positions.js';
import { fargateSizeError, isFargateCpu } from './fargate.js';
import { overlaps, parseWindow } from './windows.js';

/** Environment variable names that must come from `secrets`, never as literal values. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)$/i;

type Report = (path: Path, message: string, key?: boolean) => void;

/**
 * Cross-field and cross-manifest rules that a JSON Schema cannot state. `declared` holds `Kind/name` of every
 * document, valid or not, so a reference to a manifest that failed its schema is not reported twice.
 */
export function checkSemantics(docs: ValidDocument[], declared: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const byKind = new Map<Kind, Map<string, Manifest>>();
  for (const { manifest, source } of docs) {
    const names = byKind.get(manifest.kind) ?? new Map<string, Manifest>();
    byKind.set(manifest.kind, names);
    if (names.has(manifest.metadata.name)) {
      problems.push(problemAt(source, ['metadata', 'name'], `duplicate name: another ${manifest.kind} is already called "${manifest.metadata.name}"`));
    }
    names.set(manifest.metadata.name, manifest);
  }
  const find = <K extends Kind>(kind: K, name: string) => byKind.get(kind)?.get(name) as Extract<Manifest, { kind: K }> | undefined;

  for (const { manifest, source } of docs) {
    const report: Report = (path, message, key) => problems.push(problemAt(source, path, message, key));
    const ref = <K extends Kind>(kind: K, name: string, path: Path) => {
      const found = find(kind, name);
      if (!found && !declared.has(`${kind}/${name}`)) report(path, `${kind} "${name}" not found in this revision`);
      return found;
    };
    switch (manifest.kind) {
      case 'EcsService':
        checkService(manifest, report);
        break;
      case 'ServiceAutoscaling':
        checkAutoscaling(manifest, report, ref);
        break;
      case 'DbInstance':
        checkDb(manifest, report);
        break;
      case 'Alarm':
        checkAlarm(manifest, report, ref);
        break;
      case 'Dashboard':
        checkDashboard(manifest, report, ref);
        break;
    }
  }
  return problems;
}

type Ref = <K extends Kind>(kind: K, name: string, path: Path) => Extract<Manifest, { kind: K }> | undefined;

function checkService(m: EcsService, report: Report): void {
  const size = fargateSizeError(m.spec.cpu, m.spec.memory);
  if (size) report(['spec', isFargateCpu(m.spec.cpu) ? 'memory' : 'cpu'], size);
  const names = new Set<string>();
  m.spec.containers.forEach((c, i) => {
    if (names.has(c.name)) report(['spec', 'containers', i, 'name'], `duplicate container name "${c.name}"`);
    names.add(c.name);
    for (const key of Object.keys(c.environment ?? {})) {
      if (SECRET_NAME.test(key)) {
        report(['spec', 'containers', i, 'environment', key], `"${key}" looks like a secret: state it under secrets as a Secrets Manager or SSM ARN, never as a literal value`, true);
      }
    }
  });
  const lb = m.spec.loadBalancer;
  if (lb) {
    const container = m.spec.containers.find((c) => c.name === lb.containerName);
    if (!container) report(['spec', 'loadBalancer', 'containerName'], `no container named "${lb.containerName}" in this service`);
    else if (!(container.ports ?? []).some((p) => p.containerPort === lb.containerPort)) {
      report(['spec', 'loadBalancer', 'containerPort'], `container "${lb.containerName}" does not expose port ${lb.containerPort}`);
    }
  }
  const d = m.spec.deployment;
  if (d?.minimumHealthyPercent !== undefined && d.maximumPercent !== undefined && d.minimumHealthyPercent >= d.maximumPercent) {
    report(['spec', 'deployment', 'maximumPercent'], 'maximumPercent must be greater than minimumHealthyPercent, or a deployment can never start');
  }
}

function checkAutoscaling(m: ServiceAutoscaling, report: Report, ref: Ref): void {
  const s = m.spec;
  if (s.minTasks > s.maxTasks) report(['spec', 'minTasks'], `minTasks (${s.minTasks}) is greater than maxTasks (${s.maxTasks})`);
  if (!s.cpu && !s.memory && !s.scheduledActions?.length) {
    report(['spec'], 'states no cpu or memory target tracking and no scheduled action: nothing would scale');
  }
  const service = ref('EcsService', s.service, ['spec', 'service']);
  const desired = service?.spec.desiredCount;
  if (desired !== undefined && (desired < s.minTasks || desired > s.maxTasks)) {
    report(['spec', 'service'], `EcsService "${s.service}" states desiredCount ${desired}, outside minTasks..maxTasks (${s.minTasks}..${s.maxTasks})`);
  }
  s.scheduledActions?.forEach((a, i) => {
    if (a.minTasks !== undefined && a.maxTasks !== undefined && a.minTasks > a.maxTasks) {
      report(['spec', 'scheduledActions', i, 'minTasks'], `minTasks (${a.minTasks}) is greater than maxTasks (${a.maxTasks})`);
    }
    if (a.minTasks === undefined && a.maxTasks === undefined) {
      report(['spec', 'scheduledActions', i], 'a scheduled action needs minTasks, maxTasks or both');
    }
  });
}

function checkDb(m: DbInstance, report: Report): void {
  const s = m.spec;
  if (s.backup.retentionDays < 1 || s.backup.retentionDays > 35) {
    report(['spec', 'backup', 'retentionDays'], `backup retention must be 1 to 35 days (got ${s.backup.retentionDays}); 0 would turn automated backups off`);
  }
  const backup = windowOf(s.backup.window, ['spec', 'backup', 'window'], report);
  const maintenance = windowOf(s.maintenanceWindow, ['spec', 'maintenanceWindow'], report);
  if (backup && maintenance && overlaps(backup, maintenance)) {
    report(['spec', 'maintenanceWindow'], `maintenance window ${s.maintenanceWindow} overlaps the backup window ${s.backup.window}`);
  }
  if (s.storage.maxAllocatedGiB !== undefined && s.storage.maxAllocatedGiB <= s.storage.allocatedGiB) {
    report(['spec', 'storage', 'maxAllocatedGiB'], `maxAllocatedGiB (${s.storage.maxAllocatedGiB}) must be greater than allocatedGiB (${s.storage.allocatedGiB})`);
  }
  if (m.metadata.labels?.environment === 'production' && !s.multiAZ) {
    report(['spec', 'multiAZ'], 'a DbInstance labelled environment: production must set multiAZ: true', s.multiAZ === undefined);
  }
  const r = s.readReplicas;
  if (r) {
    const scaled = r.min !== undefined || r.max !== undefined || r.target !== undefined;
    if (r.count !== undefined && scaled) report(['spec', 'readReplicas'], 'state either count, or min/max/target, not both');
    else if (r.count === undefined && (r.min === undefined || r.max === undefined || r.target === undefined)) {
      report(['spec', 'readReplicas'], 'replicas that follow traffic need min, max and target (or state a fixed count)');
    } else if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
      report(['spec', 'readReplicas', 'min'], `min (${r.min}) is greater than max (${r.max})`);
    }
    if ((r.count ?? r.max ?? 0) > 0 && s.backup.retentionDays < 1) {
      report(['spec', 'readReplicas'], 'read replicas need automated backups (retentionDays >= 1) on the source');
    }
  }
}

function windowOf(text: string, path: Path, report: Report) {
  const w = parseWindow(text);
  if (!w) report(path, `"${text}" is not a valid window (hours 00-23, minutes 00-59, UTC)`);
  else if (w.minutes < 30) report(path, `window "${text}" is ${w.minutes} minutes; RDS needs at least 30`);
  else return w;
  return undefined;
}

function checkAlarm(m: Alarm, report: Report, ref: Ref): void {
  const s = m.spec;
  if (s.metric && (s.expression || s.metrics)) report(['spec', 'expression'], 'state either metric, or expression with metrics, not both');
  if (!s.metric && !(s.expression && s.metrics)) report(['spec'], 'an alarm needs metric, or expression with metrics');
  if (s.datapointsToAlarm !== undefined && s.datapointsToAlarm > s.evaluationPeriods) {
    report(['spec', 'datapointsToAlarm'], `datapointsToAlarm (${s.datapointsToAlarm}) is greater than evaluationPeriods (${s.evaluationPeriods})`);
  }
  if (s.expression && s.metrics) {
    // Metric math functions are upper case (SUM, IF, FILL); lower-case words are metric ids.
    for (const id of new Set(s.expression.match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? [])) {
      if (!(id in s.metrics)) report(['spec', 'expression'], `expression uses "${id}", which is not in metrics`);
    }
  }
  const metrics: [Path, NonNullable<Alarm['spec']['metric']>][] = s.metric
    ? [[['spec', 'metric'], s.metric]]
    : Object.entries(s.metrics ?? {}).map(([id, metric]) => [['spec', 'metrics', id], metric]);
  for (const [path, metric] of metrics) {
    if (metric.period !== undefined && ![10, 30].includes(metric.period) && metric.period % 60 !== 0) {
      report([...path, 'period'], `period ${metric.period} must be 10, 30 or a multiple of 60 seconds`);
    }
    const from = metric.dimensionsFrom;
    if (!from) continue;
    const at = [...path, 'dimensionsFrom'];
    const set = [from.ecsService, from.targetGroupOf, from.dbInstance].filter((v) => v !== undefined).length;
    if (set !== 1) report(at, 'state exactly one of ecsService, targetGroupOf, dbInstance');
    if (from.ecsService) ref('EcsService', from.ecsService, [...at, 'ecsService']);
    if (from.targetGroupOf) {
      const svc = ref('EcsService', from.targetGroupOf, [...at, 'targetGroupOf']);
      if (svc && !svc.spec.loadBalancer) report([...at, 'targetGroupOf'], `EcsService "${from.targetGroupOf}" has no loadBalancer`);
    }
    if (from.replica !== undefined && !from.dbInstance) report([...at, 'replica'], 'replica needs dbInstance');
    if (from.dbInstance) {
      const db = ref('DbInstance', from.dbInstance, [...at, 'dbInstance']);
      const most = db?.spec.readReplicas?.count ?? db?.spec.readReplicas?.min ?? 0;
      if (db && from.replica !== undefined && from.replica > most) {
        report([...at, 'replica'], `DbInstance "${from.dbInstance}" always has only ${most} read replica(s); replica ${from.replica} may not exist`);
      }
    }
  }
}

function checkDashboard(m: Dashboard, report: Report, ref: Ref): void {
  const g = m.spec.generate;
  if (!m.spec.widgets?.length && !g) report(['spec'], 'a dashboard needs widgets, generate, or both');
  g?.ecsServices?.forEach((name, i) => ref('EcsService', name, ['spec', 'generate', 'ecsServices', i]));
  g?.dbInstances?.forEach((name, i) => ref('DbInstance', name, ['spec', 'generate', 'dbInstances', i]));
  g?.loadBalancers?.forEach((name, i) => {
    const svc = ref('EcsService', name, ['spec', 'generate', 'loadBalancers', i]);
    if (svc && !svc.spec.loadBalancer) report(['spec', 'generate', 'loadBalancers', i], `EcsService "${name}" has no loadBalancer`);
  });
}
