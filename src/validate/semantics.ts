import type { Alarm, EcsService, Kind, Manifest, ServiceAutoscaling, Dashboard } from '../schema/index.js';
import type { Problem } from '../problem.js';
import { didYouMean } from './similar.js';
import type { ValidDocument } from './schema.js';
import { SECRET_NAME, problemAt } from './schema.js';
import type { Path } from './positions.js';
import { touches } from './repair.js';
import { fargateSizeError, isFargateCpu } from './fargate.js';
import { checkDb, checkDrill, type Ref, type Report } from './db-rules.js';
import { checkPlacement, checkTarget, crossTargetProblem } from './target-rules.js';


/**
 * Cross-field and cross-manifest rules that a JSON Schema cannot state. `declared` holds `Kind/name` of every
 * document, valid or not, so a reference to a manifest that failed its schema is not reported twice; it is
 * undefined when a file could not be parsed, since then nobody knows which manifests exist and every reference
 * into that file would be reported as missing.
 */
export function checkSemantics(docs: ValidDocument[], declared: ReadonlySet<string> | undefined): Problem[] {
  const problems: Problem[] = [];
  const byKind = new Map<Kind, Map<string, ValidDocument>>();
  for (const doc of docs) {
    const { kind, metadata } = doc.manifest;
    if (typeof metadata?.name !== 'string') continue;
    const names = byKind.get(kind) ?? new Map<string, ValidDocument>();
    byKind.set(kind, names);
    const first = names.get(metadata.name);
    if (first) problems.push(problemAt(doc.source, ['metadata', 'name'], `another ${kind} is already called "${metadata.name}" (${where(first, ['metadata', 'name'])})`));
    else names.set(metadata.name, doc);
  }
  // A manifest that failed its schema counts as there, but its values are not trusted for another's rules.
  const find = <K extends Kind>(kind: K, name: string) => {
    const found = byKind.get(kind)?.get(name);
    return found?.broken ? undefined : (found?.manifest as Extract<Manifest, { kind: K }> | undefined);
  };
  // AWS names that two manifests must not share: one scalable target per service, one DB per identifier.
  const claimed = new Map<string, { doc: ValidDocument; path: Path }>();
  const claim = (doc: ValidDocument, awsName: string, path: Path, what: string) => {
    if (doc.broken && touches(doc.broken, path)) return;
    const first = claimed.get(awsName);
    const by = first && `${first.doc.manifest.kind}/${first.doc.manifest.metadata.name}`;
    if (first) problems.push(problemAt(doc.source, path, `${what} is already claimed by ${by} (${where(first.doc, first.path)})`));
    else claimed.set(awsName, { doc, path });
  };
  const targets = [...(byKind.get('Target')?.values() ?? [])].filter((d) => !d.broken).map((d) => d.manifest as Extract<Manifest, { kind: 'Target' }>);

  for (const doc of docs) {
    const { manifest, source } = doc;
    // A rule about a value that failed the schema (or about what holds it) would only restate that failure.
    const report: Report = (path, message, key) => {
      if (!doc.broken || !touches(doc.broken, path)) problems.push(problemAt(source, path, message, key));
    };
    const ref: Ref = (kind, name, path) => {
      const found = find(kind, name);
      if (!byKind.get(kind)?.has(name) && declared && !declared.has(`${kind}/${name}`)) {
        // With the names of manifests checked as this kind though their kind is misspelt.
        const names = [...[...declared].filter((k) => k.startsWith(`${kind}/`)).map((k) => k.slice(kind.length + 1)), ...(byKind.get(kind)?.keys() ?? [])];
        report(path, `${kind} "${name}" not found in this revision${didYouMean(name, names)}`);
      }
      const crossing = found && crossTargetProblem(manifest, found);
      if (crossing) report(path, crossing);
      return found;
    };
    try {
      checkPlacement(manifest, ref);
      switch (manifest.kind) {
        case 'EcsService':
          checkService(manifest, report);
          break;
        case 'ServiceAutoscaling':
          checkAutoscaling(manifest, report, ref);
          claim(doc, `scaling:${manifest.spec.service}`, ['spec', 'service'], `EcsService "${manifest.spec.service}"`);
          break;
        case 'DbInstance': {
          checkDb(manifest, report);
          const identifier = manifest.spec.identifier ?? manifest.metadata.name;
          claim(doc, `db:${identifier}`, manifest.spec.identifier ? ['spec', 'identifier'] : ['metadata', 'name'], `DB identifier "${identifier}"`);
          break;
        }
        case 'Alarm':
          checkAlarm(manifest, report, ref);
          break;
        case 'Dashboard':
          checkDashboard(manifest, report, ref);
          break;
        case 'RestoreDrill':
          checkDrill(manifest, report, ref);
          // Drill instances are named <identifier>-drill-<yyyymmddhhmm>: two drills of one DB starting together would collide.
          claim(doc, `drill:${manifest.spec.dbInstance}:${manifest.spec.schedule}`, ['spec', 'schedule'], `schedule "${manifest.spec.schedule}" of DbInstance "${manifest.spec.dbInstance}"`);
          break;
        case 'Target':
          checkTarget(manifest, report, targets);
          break;
      }
    } catch (err) {
      // A document that failed its schema may lack a field its rules need; those rules wait for the fix.
      if (!doc.broken) throw err;
    }
  }
  return problems;
}

/** `file:line` of a path in another document, for messages that point at both places. */
function where({ source }: ValidDocument, path: Path): string {
  return `${source.file}:${source.position(path).line}`;
}

function checkService(m: EcsService, report: Report): void {
  const s = m.spec;
  const size = fargateSizeError(s.cpu, s.memory);
  if (size) report(['spec', isFargateCpu(s.cpu) ? 'memory' : 'cpu'], size);
  const names = new Set<string>();
  s.containers.forEach((c, i) => {
    if (names.has(c.name)) report(['spec', 'containers', i, 'name'], `another container is already called "${c.name}"`);
    names.add(c.name);
    (c.mountPoints ?? []).forEach((mp, j) => {
      if (!(s.volumes ?? []).some((v) => v.name === mp.sourceVolume)) report(['spec', 'containers', i, 'mountPoints', j, 'sourceVolume'], `no volume called "${mp.sourceVolume}" in spec.volumes`);
    });
    (c.dependsOn ?? []).forEach((d, j) => {
      if (d.containerName === c.name || !s.containers.some((o) => o.name === d.containerName)) {
        report(['spec', 'containers', i, 'dependsOn', j, 'containerName'], `no other container called "${d.containerName}" in this service`);
      }
    });
    for (const key of Object.keys(c.environment ?? {})) {
      if (SECRET_NAME.test(key)) {
        report(['spec', 'containers', i, 'environment', key], 'looks like a secret: move it under secrets, as a Secrets Manager or SSM reference, never a literal value', true);
      }
    }
  });
  for (const unit of ['cpu', 'memory'] as const) {
    const total = s.containers.reduce((sum, c) => sum + (c[unit] ?? 0), 0);
    if (total > s[unit]) report(['spec', unit], `the containers reserve ${total} in total, more than the task's ${s[unit]}`);
  }
  const lb = s.loadBalancer;
  if (lb) {
    const container = s.containers.find((c) => c.name === lb.containerName);
    if (!container) report(['spec', 'loadBalancer', 'containerName'], `no container called "${lb.containerName}" in this service`);
    else if (!(container.ports ?? []).some((p) => p.containerPort === lb.containerPort)) {
      report(['spec', 'loadBalancer', 'containerPort'], `container "${lb.containerName}" does not expose port ${lb.containerPort}`);
    }
  }
  const d = s.deployment;
  if (d?.minimumHealthyPercent !== undefined && d.maximumPercent !== undefined && d.minimumHealthyPercent >= d.maximumPercent) {
    report(['spec', 'deployment', 'maximumPercent'], `must be greater than minimumHealthyPercent (${d.minimumHealthyPercent}), or a deployment can never start`);
  }
}

function checkAutoscaling(m: ServiceAutoscaling, report: Report, ref: Ref): void {
  const s = m.spec;
  if (s.minTasks > s.maxTasks) report(['spec', 'minTasks'], `${s.minTasks} is greater than maxTasks (${s.maxTasks})`);
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
      report(['spec', 'scheduledActions', i, 'minTasks'], `${a.minTasks} is greater than maxTasks (${a.maxTasks})`);
    }
    if (a.minTasks === undefined && a.maxTasks === undefined) {
      report(['spec', 'scheduledActions', i], 'a scheduled action needs minTasks, maxTasks or both');
    }
  });
}

function checkAlarm(m: Alarm, report: Report, ref: Ref): void {
  const s = m.spec;
  if (s.metric && (s.expression || s.metrics)) report(['spec', s.expression ? 'expression' : 'metrics'], 'state either metric, or expression with metrics, not both');
  if (!s.metric && !(s.expression && s.metrics)) report(['spec'], 'an alarm needs metric, or expression with metrics');
  if (s.datapointsToAlarm !== undefined && s.datapointsToAlarm > s.evaluationPeriods) {
    report(['spec', 'datapointsToAlarm'], `${s.datapointsToAlarm} is greater than evaluationPeriods (${s.evaluationPeriods})`);
  }
  if (s.expression && s.metrics) {
    // Metric math functions are upper case (SUM, IF, FILL); lower-case words outside quoted strings are metric ids.
    const unquoted = s.expression.replace(/'[^']*'|"[^"]*"/g, '');
    for (const id of new Set(unquoted.match(/\b[a-z][a-zA-Z0-9_]*\b/g) ?? [])) {
      if (!(id in s.metrics)) report(['spec', 'expression'], `uses "${id}", which is not in metrics`);
    }
  }
  const metrics: [Path, NonNullable<Alarm['spec']['metric']>][] = s.metric
    ? [[['spec', 'metric'], s.metric]]
    : Object.entries(s.metrics ?? {}).map(([id, metric]) => [['spec', 'metrics', id], metric]);
  for (const [path, metric] of metrics) {
    if (metric.period !== undefined && ![10, 30].includes(metric.period) && metric.period % 60 !== 0) {
      report([...path, 'period'], `must be 10, 30 or a multiple of 60 seconds, got ${metric.period}`);
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
    if (from.replica !== undefined && !from.dbInstance) report([...at, 'replica'], 'needs dbInstance');
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
