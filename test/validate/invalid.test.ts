import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { runCli } from '../support/cli.js';

// A small valid estate. Tests change one thing in it and expect exactly the resulting error lines; the line
// numbers in the comments are the ones the expected messages use.

// 1 apiVersion, 2 kind, 4 name, 7 cluster, 8 cpu, 9 memory, 11 containers[0], 12 image, 14 containerPort,
// 15 environment, 16 secrets, 18 subnets, 19 securityGroups, 20 loadBalancer
const SERVICE = `apiVersion: ballast.dev/v1alpha1
kind: EcsService
metadata:
  name: web
  labels: {team: web}
spec:
  cluster: shop
  cpu: 256
  memory: 512
  containers:
    - name: app
      image: nginx:1.27
      ports:
        - containerPort: 8080
      environment: {LOG_LEVEL: info}
      secrets: {DB_CREDENTIALS: /shop/web/db}
  network:
    subnets: [private-a, private-b]
    securityGroups: [web]
  loadBalancer: {targetGroup: web, containerName: app, containerPort: 8080}
`;

// 4 name, 6 service, 7 minTasks, 8 maxTasks, 9 cpu
const SCALING = `apiVersion: ballast.dev/v1alpha1
kind: ServiceAutoscaling
metadata:
  name: web
spec:
  service: web
  minTasks: 2
  maxTasks: 6
  cpu: {targetValue: 60}
`;

// 5 labels, 6 spec, 9 instanceClass, 10 storage, 11 multiAZ, 12 masterUsername, 14 retentionDays, 15 backup window,
// 16 maintenanceWindow, 17 readReplicas
const DB = `apiVersion: ballast.dev/v1alpha1
kind: DbInstance
metadata:
  name: db
  labels: {environment: production}
spec:
  engine: postgres
  engineVersion: "16"
  instanceClass: db.t4g.micro
  storage: {allocatedGiB: 20, maxAllocatedGiB: 100}
  multiAZ: true
  masterUsername: shop
  backup:
    retentionDays: 7
    window: "02:00-02:30"
  maintenanceWindow: "sun:03:00-sun:03:30"
  readReplicas: {min: 1, max: 2, target: {metric: CPUUtilization, value: 60}}
  masterPassword: {secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db/master"}
`;

// 5 spec, 6 metric, 9 dimensionsFrom, 10 evaluationPeriods, 11 threshold, 12 comparison
const ALARM = `apiVersion: ballast.dev/v1alpha1
kind: Alarm
metadata:
  name: web-cpu
spec:
  metric:
    namespace: AWS/ECS
    name: CPUUtilization
    dimensionsFrom: {ecsService: web}
  evaluationPeriods: 5
  threshold: 80
  comparison: GreaterThanThreshold
`;

// 7 ecsServices, 8 loadBalancers, 9 dbInstances
const DASHBOARD = `apiVersion: ballast.dev/v1alpha1
kind: Dashboard
metadata:
  name: shop
spec:
  generate:
    ecsServices: [web]
    loadBalancers: [web]
    dbInstances: [db]
`;

const BASE = {
  'web.yaml': SERVICE,
  'web-scaling.yaml': SCALING,
  'db.yaml': DB,
  'alarm.yaml': ALARM,
  'dashboard.yaml': DASHBOARD,
};

type Files = Record<string, string | null>;

/** Replaces text that must be there (so a typo in a test cannot leave the manifest valid by accident). */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`"${from}" is not in the manifest`);
  return text.replace(from, to);
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes the base estate with some files replaced (null removes one) into a fresh temp folder. */
async function estate(changes: Files = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ballast-invalid-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries({ ...BASE, ...changes })) {
    if (text === null) continue;
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

/** How the CLI prints a path: relative to the working folder when inside it, else absolute. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? file : rel;
}

/**
 * Runs `ballast validate` on the estate with the changes; expects exit 1 and exactly these problem lines, each
 * starting with a path inside the estate folder (`<dir>` in a message stands for that folder).
 */
async function expectProblems(changes: Files, expected: string[]): Promise<void> {
  const dir = await estate(changes);
  const run = await runCli(['validate', dir]);
  const lines = expected.map((line) => `${shown(dir)}${path.sep}${line.replaceAll('<dir>', shown(dir))}`);
  expect(run.stdout.split('\n').filter(Boolean)).toEqual(lines);
  expect(run.stderr).toBe(`${expected.length} problem(s); nothing in this revision would be applied\n`);
  expect(run.code).toBe(1);
}

describe('ballast validate on an invalid revision', () => {
  it('accepts the base estate these tests start from', async () => {
    const run = await runCli(['validate', await estate()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/: 5 manifests in 5 files are valid\n$/);
  });

  describe('schema', () => {
    it('points an unknown field at its key', async () => {
      await expectProblems({ 'web.yaml': `${SERVICE}  colour: red\n` }, ['web.yaml:21:3: EcsService/web: spec.colour: unknown field']);
    });

    it('suggests the known field an unknown one was probably meant to be', async () => {
      await expectProblems({ 'web.yaml': `${SERVICE}  desiredcount: 3\n` }, [
        'web.yaml:21:3: EcsService/web: spec.desiredcount: unknown field (did you mean "desiredCount"?)',
      ]);
    });

    it('points a wrongly typed value at the value', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'cpu: 256', 'cpu: "x"') }, [
        'web.yaml:8:8: EcsService/web: spec.cpu: must be an integer, got string "x"',
      ]);
    });

    it('says mapping where a mapping is wanted', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'network:\n    subnets: [private-a, private-b]\n    securityGroups: [web]\n', 'network: [private-a, private-b]\n') }, [
        'web.yaml:17:3: EcsService/web: spec.network: must be a mapping, got a list',
      ]);
    });

    it('points an empty value at its key', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'memory: 512', 'memory:') }, [
        'web.yaml:9:3: EcsService/web: spec.memory: must be an integer, got nothing',
      ]);
    });

    it('says to quote a number where a string is wanted', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '{team: web}', '{team: web, version: 2}') }, [
        'web.yaml:5:32: EcsService/web: metadata.labels.version: must be a string, got number 2 (quote it: "2")',
      ]);
    });

    it('points a missing required field at the mapping that lacks it', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '  cluster: shop\n', '') }, [
        'web.yaml:6:1: EcsService/web: spec: missing required field "cluster"',
      ]);
    });

    it('points a missing field of a list item at the item', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '      image: nginx:1.27\n', '') }, [
        'web.yaml:11:7: EcsService/web: spec.containers[0]: missing required field "image"',
      ]);
    });

    it('names the kind alone while metadata.name is missing', async () => {
      await expectProblems({ 'alarm.yaml': edit(ALARM, '  name: web-cpu\n', '  labels: {team: web}\n') }, [
        'alarm.yaml:3:1: Alarm: metadata: missing required field "name"',
      ]);
    });

    it('lists the allowed values of an enum', async () => {
      await expectProblems({ 'alarm.yaml': edit(ALARM, 'comparison: GreaterThanThreshold', 'comparison: Bigger') }, [
        'alarm.yaml:12:15: Alarm/web-cpu: spec.comparison: must be one of "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold", got "Bigger"',
      ]);
    });

    it('quotes annotation keys in the path and checks their values', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '  labels: {team: web}\n', '  annotations:\n    ballast.dev/mode: watch\n') }, [
        'web.yaml:6:23: EcsService/web: metadata.annotations["ballast.dev/mode"]: must be one of "enforce", "detect", "suspend", got "watch"',
      ]);
    });

    it('asks for a quoted "true" when allow-destructive is a YAML boolean', async () => {
      await expectProblems({ 'db.yaml': edit(DB, '  labels:', '  annotations: {ballast.dev/allow-destructive: true}\n  labels:') }, [
        'db.yaml:5:48: DbInstance/db: metadata.annotations["ballast.dev/allow-destructive"]: must be "true" (a quoted string), got true',
      ]);
    });

    it('explains a value that does not match its pattern', async () => {
      await expectProblems({ 'db.yaml': edit(DB, 'instanceClass: db.t4g.micro', 'instanceClass: t4g.micro') }, [
        'db.yaml:9:18: DbInstance/db: spec.instanceClass: "t4g.micro" is not valid (DB instance class, e.g. db.r6g.large)',
      ]);
    });

    it.each(['shop--db', 'shop-db-'])('refuses the DB identifier %s, which RDS refuses', async (id) => {
      await expectProblems({ 'db.yaml': edit(DB, 'spec:\n', `spec:\n  identifier: ${id}\n`) }, [
        `db.yaml:7:15: DbInstance/db: spec.identifier: "${id}" is not valid (RDS identifier, defaults to metadata.name: a letter, then letters, digits and single hyphens, not ending in a hyphen; at most 63 characters)`,
      ]);
    });

    it('needs at least two subnets', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '[private-a, private-b]', '[private-a]') }, [
        'web.yaml:18:5: EcsService/web: spec.network.subnets: must list at least 2 items, got 1',
      ]);
    });

    it('points a repeated list item at the repetition', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'securityGroups: [web]', 'securityGroups: [web, db, web]') }, [
        'web.yaml:19:31: EcsService/web: spec.network.securityGroups[2]: "web" is listed twice',
      ]);
    });

    it('refuses an environment variable name that ECS would refuse', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '{LOG_LEVEL: info}', '{LOG_LEVEL: info, log-format: json}') }, [
        'web.yaml:15:38: EcsService/web: spec.containers[0].environment.log-format: key is not valid (must match ^[A-Za-z_][A-Za-z0-9_]*$)',
      ]);
    });

    it('refuses backup retention 0', async () => {
      await expectProblems({ 'db.yaml': edit(DB, 'retentionDays: 7', 'retentionDays: 0') }, [
        'db.yaml:14:20: DbInstance/db: spec.backup.retentionDays: must be at least 1, got 0',
      ]);
    });

    it('refuses backup retention 36', async () => {
      await expectProblems({ 'db.yaml': edit(DB, 'retentionDays: 7', 'retentionDays: 36') }, [
        'db.yaml:14:20: DbInstance/db: spec.backup.retentionDays: must be at most 35, got 36',
      ]);
    });

    it('refuses a window at hour 25', async () => {
      await expectProblems({ 'db.yaml': edit(DB, '"02:00-02:30"', '"25:00-25:30"') }, [
        'db.yaml:15:13: DbInstance/db: spec.backup.window: "25:00-25:30" is not valid (Daily UTC window as hh:mm-hh:mm (hours 00-23), at least 30 minutes)',
      ]);
    });
  });

  describe('secrets', () => {
    it('calls a password field a plaintext secret', async () => {
      await expectProblems({ 'db.yaml': edit(DB, '  masterUsername: shop\n', '  masterUsername: shop\n  masterUserPassword: hunter2hunter2\n') }, [
        'db.yaml:13:3: DbInstance/db: spec.masterUserPassword: plaintext secret not allowed in a manifest: state masterPassword: {secretArn: …} (a Secrets Manager secret of yours) or {managedByRds: true} instead',
      ]);
    });

    it('refuses a master password RDS manages together with read replicas, naming read replicas and Secrets Manager', async () => {
      const managed = edit(DB, '  masterPassword: {secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db/master"}\n', '  masterPassword: {managedByRds: true}\n');
      await expectProblems({ 'db.yaml': managed }, [
        'db.yaml:18:34: DbInstance/db: spec.masterPassword.managedByRds: RDS cannot create read replicas of a postgres instance whose master password it manages in Secrets Manager (only SQL Server allows it): keep the password in a secret of your own (masterPassword: {secretArn: …}), or drop readReplicas',
      ]);
      // Without replicas RDS may keep it.
      const dir = await estate({ 'db.yaml': edit(managed, '  readReplicas: {min: 1, max: 2, target: {metric: CPUUtilization, value: 60}}\n', '') });
      expect((await runCli(['validate', dir])).code).toBe(0);
    });

    it('refuses a secret-looking environment variable', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '{LOG_LEVEL: info}', '{LOG_LEVEL: info, STRIPE_API_KEY: sk_live_123}') }, [
        'web.yaml:15:38: EcsService/web: spec.containers[0].environment.STRIPE_API_KEY: looks like a secret: move it under secrets, as a Secrets Manager or SSM reference, never a literal value',
      ]);
    });

    it('refuses a secret that is a value, not a Secrets Manager or SSM reference', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '{DB_CREDENTIALS: /shop/web/db}', '{DB_CREDENTIALS: "user:pass"}') }, [
        'web.yaml:16:33: EcsService/web: spec.containers[0].secrets.DB_CREDENTIALS: "user:pass" is not valid (Where the secret lives, never its value: a Secrets Manager ARN (optionally with :json-key::), an SSM parameter ARN, or an SSM parameter name such as /shop/api-key in the same region)',
      ]);
    });
  });

  describe('documents', () => {
    it('refuses another apiVersion', async () => {
      await expectProblems({ 'alarm.yaml': edit(ALARM, 'ballast.dev/v1alpha1', 'ballast.dev/v1') }, [
        'alarm.yaml:1:13: Alarm/web-cpu: apiVersion: must be "ballast.dev/v1alpha1", got "ballast.dev/v1"',
      ]);
    });

    it('refuses an unknown kind and lists the known ones', async () => {
      await expectProblems({ 'alarm.yaml': edit(ALARM, 'kind: Alarm', 'kind: Alert') }, [
        'alarm.yaml:2:7: Alert/web-cpu: kind: must be one of "EcsService", "ServiceAutoscaling", "DbInstance", "Alarm", "Dashboard", "RestoreDrill", "Target" (did you mean "Alarm"?), got "Alert"',
      ]);
    });

    it('refuses a document that is not a mapping', async () => {
      await expectProblems({ 'alarm.yaml': `${ALARM}---\n- just\n- a list\n` }, [
        'alarm.yaml:14:1: a manifest must be a mapping with apiVersion, kind, metadata and spec, got a list',
      ]);
    });
  });

  describe('loading', () => {
    it('refuses a "billion laughs" alias bomb without expanding it', async () => {
      const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (const n of 'bcdefghi') {
        const prev = String.fromCharCode(n.charCodeAt(0) - 1);
        levels.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
      }
      await expectProblems({ 'bomb.yaml': `${levels.join('\n')}\n` }, [
        'bomb.yaml:1:1: refused: aliases expand to too many nodes (limit 100), as in a "billion laughs" document',
      ]);
    });

    it('refuses a file over 1 MiB before parsing it', async () => {
      const big = `${SERVICE}${`# ${'x'.repeat(1021)}\n`.repeat(1024)}`;
      await expectProblems({ 'web.yaml': big }, [`web.yaml:1:1: file is ${Buffer.byteLength(big)} bytes, over the 1048576-byte limit`]);
    });

    it('takes the size limit from the load options', async () => {
      const revision = await loadRevision(await estate(), { maxFileBytes: 460 });
      expect(revision.problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.col}: ${p.message}`)).toEqual([
        `db.yaml:1:1: file is ${Buffer.byteLength(DB)} bytes, over the 460-byte limit`,
        `web.yaml:1:1: file is ${Buffer.byteLength(SERVICE)} bytes, over the 460-byte limit`,
      ]);
    });

    it('points malformed YAML at the place the parser stopped', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'subnets: [private-a, private-b]', 'subnets: [private-a, private-b') }, [
        'web.yaml:19:5: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ]);
    });

    it('refuses a duplicate key and names it', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '  memory: 512\n', '  memory: 512\n  cpu: 512\n') }, [
        'web.yaml:10:3: duplicate key "cpu": a key may appear only once in a mapping',
      ]);
    });
  });

  describe('cross-field rules', () => {
    it('refuses a CPU size Fargate does not offer', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'cpu: 256', 'cpu: 300') }, [
        'web.yaml:8:8: EcsService/web: spec.cpu: 300 is not a Fargate CPU size (valid: 256, 512, 1024, 2048, 4096, 8192, 16384)',
      ]);
    });

    it('refuses memory that does not fit the CPU size', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'memory: 512', 'memory: 4096') }, [
        'web.yaml:9:11: EcsService/web: spec.memory: 4096 MiB is not valid with cpu 256 on Fargate (valid: 512, 1024, 2048)',
      ]);
    });

    it('refuses containers that reserve more memory than the task has', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, '      image: nginx:1.27\n', '      image: nginx:1.27\n      memory: 1024\n') }, [
        "web.yaml:9:11: EcsService/web: spec.memory: the containers reserve 1024 in total, more than the task's 512",
      ]);
    });

    it('refuses a loadBalancer port the container does not expose', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'containerPort: 8080}', 'containerPort: 9090}') }, [
        'web.yaml:20:71: EcsService/web: spec.loadBalancer.containerPort: container "app" does not expose port 9090',
      ]);
    });

    it('refuses minTasks above maxTasks', async () => {
      await expectProblems({ 'web-scaling.yaml': edit(SCALING, 'minTasks: 2', 'minTasks: 8') }, [
        'web-scaling.yaml:7:13: ServiceAutoscaling/web: spec.minTasks: 8 is greater than maxTasks (6)',
      ]);
    });

    it('refuses a fixed desiredCount outside the autoscaling bounds', async () => {
      await expectProblems({ 'web.yaml': `${SERVICE}  desiredCount: 10\n` }, [
        'web-scaling.yaml:6:12: ServiceAutoscaling/web: spec.service: EcsService "web" states desiredCount 10, outside minTasks..maxTasks (2..6)',
      ]);
    });

    it('refuses a second ServiceAutoscaling for the same service', async () => {
      await expectProblems({ 'web-scaling-2.yaml': edit(SCALING, 'name: web', 'name: web-night') }, [
        `web-scaling.yaml:6:12: ServiceAutoscaling/web: spec.service: EcsService "web" is already claimed by ServiceAutoscaling/web-night (<dir>${path.sep}web-scaling-2.yaml:6)`,
      ]);
    });

    it('refuses two DbInstances with one DB identifier', async () => {
      const copy = edit(edit(DB, '  name: db\n', '  name: db-copy\n'), 'spec:\n', 'spec:\n  identifier: db\n');
      await expectProblems({ 'db-2.yaml': copy }, [
        `db.yaml:4:9: DbInstance/db: metadata.name: DB identifier "db" is already claimed by DbInstance/db-copy (<dir>${path.sep}db-2.yaml:7)`,
      ]);
    });

    it('refuses read replica min above max', async () => {
      await expectProblems({ 'db.yaml': edit(DB, '{min: 1, max: 2,', '{min: 3, max: 2,') }, [
        'db.yaml:17:23: DbInstance/db: spec.readReplicas.min: 3 is greater than max (2)',
      ]);
    });

    it('refuses a DB identifier with read replicas that leaves no room for -replica-<n>', async () => {
      const id = 'd'.repeat(53);
      await expectProblems({ 'db.yaml': edit(DB, 'spec:\n', `spec:\n  identifier: ${id}\n`) }, [
        `db.yaml:7:15: DbInstance/db: spec.identifier: DB identifier "${id}" is 53 characters; read replicas (<identifier>-replica-<n>, n up to 15) need it at most 52`,
      ]);
    });

    it('refuses a DB name with read replicas that, as the identifier, leaves no room for -replica-<n>', async () => {
      const name = 'd'.repeat(53);
      await expectProblems({ 'db-2.yaml': edit(DB, '  name: db\n', `  name: ${name}\n`) }, [
        `db-2.yaml:4:9: DbInstance/${name}: metadata.name: DB identifier "${name}" is 53 characters; read replicas (<identifier>-replica-<n>, n up to 15) need it at most 52`,
      ]);
    });

    it('refuses a DB name with two hyphens in a row when it is the identifier', async () => {
      await expectProblems({ 'db-2.yaml': edit(DB, '  name: db\n', '  name: shop--db\n') }, [
        'db-2.yaml:4:9: DbInstance/shop--db: metadata.name: is also the DB identifier, and RDS refuses two hyphens in a row: rename it or state spec.identifier',
      ]);
    });

    it('refuses overlapping backup and maintenance windows', async () => {
      await expectProblems({ 'db.yaml': edit(DB, '"sun:03:00-sun:03:30"', '"sun:02:15-sun:02:45"') }, [
        'db.yaml:16:22: DbInstance/db: spec.maintenanceWindow: "sun:02:15-sun:02:45" overlaps the backup window "02:00-02:30"',
      ]);
    });

    it('refuses a window shorter than 30 minutes', async () => {
      await expectProblems({ 'db.yaml': edit(DB, '"02:00-02:30"', '"02:00-02:20"') }, [
        'db.yaml:15:13: DbInstance/db: spec.backup.window: "02:00-02:20" is 20 minutes long; RDS needs at least 30',
      ]);
    });

    it('refuses maxAllocatedGiB that is not above allocatedGiB', async () => {
      await expectProblems({ 'db.yaml': edit(DB, 'allocatedGiB: 20,', 'allocatedGiB: 100,') }, [
        'db.yaml:10:49: DbInstance/db: spec.storage.maxAllocatedGiB: must be greater than allocatedGiB (100), got 100',
      ]);
    });

    it('refuses a production DB with multiAZ false', async () => {
      await expectProblems({ 'db.yaml': edit(DB, 'multiAZ: true', 'multiAZ: false') }, [
        'db.yaml:11:12: DbInstance/db: spec.multiAZ: must be true for a DbInstance labelled environment: production',
      ]);
    });

    it('refuses a production DB that leaves multiAZ out, pointing at its spec', async () => {
      await expectProblems({ 'db.yaml': edit(DB, '  multiAZ: true\n', '') }, [
        'db.yaml:6:1: DbInstance/db: spec.multiAZ: must be true for a DbInstance labelled environment: production',
      ]);
    });

    it('refuses an alarm with both metric and expression', async () => {
      await expectProblems({ 'alarm.yaml': `${ALARM}  expression: "m1 * 2"\n` }, [
        'alarm.yaml:13:15: Alarm/web-cpu: spec.expression: state either metric, or expression with metrics, not both',
      ]);
    });

    it('refuses datapointsToAlarm above evaluationPeriods', async () => {
      await expectProblems({ 'alarm.yaml': `${ALARM}  datapointsToAlarm: 6\n` }, [
        'alarm.yaml:13:22: Alarm/web-cpu: spec.datapointsToAlarm: 6 is greater than evaluationPeriods (5)',
      ]);
    });

    it('refuses an expression that uses an unknown metric id', async () => {
      const math = edit(ALARM, '  metric:\n', '  expression: "100 * errors / requests"\n  metrics:\n    errors:\n').replace(
        '    namespace: AWS/ECS\n    name: CPUUtilization\n    dimensionsFrom: {ecsService: web}\n',
        '      namespace: AWS/ECS\n      name: CPUUtilization\n      dimensionsFrom: {ecsService: web}\n',
      );
      await expectProblems({ 'alarm.yaml': math }, [
        'alarm.yaml:6:15: Alarm/web-cpu: spec.expression: uses "requests", which is not in metrics',
      ]);
    });
  });

  describe('references', () => {
    it('refuses a ServiceAutoscaling for a service that is not there', async () => {
      await expectProblems({ 'web-scaling.yaml': edit(SCALING, 'service: web', 'service: api') }, [
        'web-scaling.yaml:6:12: ServiceAutoscaling/web: spec.service: EcsService "api" not found in this revision',
      ]);
    });

    it('suggests the name meant for a misspelt reference, kind and enum value, all in one pass', async () => {
      const dir = await estate({
        'web-scaling.yaml': edit(SCALING, 'service: web', 'service: weg'),
        'other.yaml': edit(SCALING, 'kind: ServiceAutoscaling', 'kind: ServiceAutoscalling'),
        'alarm.yaml': edit(ALARM, 'comparison: GreaterThanThreshold', 'comparison: GreaterThanTreshold'),
      });
      const messages = (await loadRevision(dir)).problems.map((p) => `${path.basename(p.file)}:${p.line}:${p.col}: ${p.message}`);
      expect(messages).toEqual([
        expect.stringMatching(/^alarm\.yaml:\d+:\d+: spec\.comparison: must be one of .* \(did you mean "GreaterThanThreshold"\?\), got "GreaterThanTreshold"$/),
        expect.stringMatching(/^other\.yaml:2:7: kind: must be one of .* \(did you mean "ServiceAutoscaling"\?\), got "ServiceAutoscalling"$/),
        // The misspelt kind is checked as the kind meant, so the clash its fix would bring shows now, not next pass.
        expect.stringMatching(/^web-scaling\.yaml:4:9: metadata\.name: another ServiceAutoscaling is already called "web" \(.*other\.yaml:4\)$/),
        'web-scaling.yaml:6:12: spec.service: EcsService "weg" not found in this revision (did you mean "web"?)',
      ]);
    });

    it('refuses alarm dimensions taken from a DB that is not there', async () => {
      await expectProblems({ 'alarm.yaml': edit(ALARM, '{ecsService: web}', '{dbInstance: orders}') }, [
        'alarm.yaml:9:34: Alarm/web-cpu: spec.metric.dimensionsFrom.dbInstance: DbInstance "orders" not found in this revision',
      ]);
    });

    it('refuses a dashboard generated from a service that is not there', async () => {
      await expectProblems({ 'dashboard.yaml': edit(DASHBOARD, 'ecsServices: [web]', 'ecsServices: [web, api]') }, [
        'dashboard.yaml:7:24: Dashboard/shop: spec.generate.ecsServices[1]: EcsService "api" not found in this revision',
      ]);
    });

    it('refuses a duplicate name and says where the first one is', async () => {
      await expectProblems({ 'more/web.yaml': edit(SERVICE, '{team: web}', '{team: shop}') }, [
        `web.yaml:4:9: EcsService/web: metadata.name: another EcsService is already called "web" (<dir>${path.sep}more${path.sep}web.yaml:4)`,
      ]);
    });

    it('does not report a reference to a manifest that is already invalid twice', async () => {
      await expectProblems({ 'web.yaml': edit(SERVICE, 'cpu: 256', 'cpu: "256"') }, [
        'web.yaml:8:8: EcsService/web: spec.cpu: must be an integer, got string "256"',
      ]);
    });
  });

  describe('a revision', () => {
    it('reports the errors of every file at once, sorted by file and line', async () => {
      await expectProblems(
        {
          'web.yaml': edit(edit(SERVICE, 'memory: 512', 'memory: 333'), 'cluster: shop', 'cluster: ""'),
          'db.yaml': edit(DB, 'multiAZ: true', 'multiAZ: false'),
          'alarm.yaml': edit(ALARM, 'threshold: 80', 'threshold: high'),
          'nested/deeper/extra.yaml': '{oops\n',
        },
        [
          'alarm.yaml:11:14: Alarm/web-cpu: spec.threshold: must be a number, got string "high"',
          'db.yaml:11:12: DbInstance/db: spec.multiAZ: must be true for a DbInstance labelled environment: production',
          `nested${path.sep}deeper${path.sep}extra.yaml:2:1: invalid YAML: Flow map must end with a }`,
          'web.yaml:7:12: EcsService/web: spec.cluster: must not be empty',
          'web.yaml:9:11: EcsService/web: spec.memory: 333 MiB is not valid with cpu 256 on Fargate (valid: 512, 1024, 2048)',
        ],
      );
    });

    it('yields no manifests at all when one file is invalid', async () => {
      const valid = await loadRevision(await estate());
      expect(valid.manifests).toHaveLength(5);
      const invalid = await loadRevision(await estate({ 'alarm.yaml': edit(ALARM, 'threshold: 80', 'threshold: high') }));
      expect(invalid.manifests).toEqual([]);
      expect(invalid.problems).toHaveLength(1);
    });

    it('shows paths relative to the working folder when the files are inside it', async () => {
      const dir = await estate({ 'web.yaml': edit(SERVICE, 'cpu: 256', 'cpu: 300') });
      const revision = await loadRevision(path.join(dir, 'web.yaml'), { cwd: dir });
      expect(revision.problems.map((p) => `${p.file}:${p.line}:${p.col}`)).toEqual(['web.yaml:8:8']);
    });
  });

  describe('--output json', () => {
    it('prints exactly one JSON document with valid and the problems', async () => {
      const dir = await estate({ 'web.yaml': edit(SERVICE, 'cpu: 256', 'cpu: 300') });
      const run = await runCli(['validate', dir, '--output', 'json']);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      const out = JSON.parse(run.stdout) as { valid: boolean; manifests: number; problems: unknown[] };
      expect(out).toMatchObject({ valid: false, manifests: 0 });
      expect(out.problems).toEqual([
        {
          file: shown(path.join(dir, 'web.yaml')),
          line: 8,
          col: 8,
          subject: 'EcsService/web',
          message: 'spec.cpu: 300 is not a Fargate CPU size (valid: 256, 512, 1024, 2048, 4096, 8192, 16384)',
        },
      ]);
    });

    it('prints one JSON document for a valid revision too', async () => {
      const run = await runCli(['validate', await estate(), '--output', 'json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ valid: true, files: 5, manifests: 5, problems: [] });
    });
  });
});
