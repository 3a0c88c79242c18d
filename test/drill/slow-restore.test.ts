import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateDBInstanceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { pino } from 'pino';
import type { Aws } from '../../src/aws/clients.js';
import { DRILL_DEADLINE_TAG, DRILL_RUNNER_TAG, DRILL_TAG, runDrill } from '../../src/drill/index.js';
import { startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS } from '../../src/controller/config.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { within } from '../support/wait.js';
import { tempDir } from '../support/temp.js';
import type { DbInstance, RestoreDrill } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopDb } from '../support/estate/db-instance.js';

// A restore that never finishes: the copy stays "creating".
const moto = useMoto();
beforeEach(() => moto.setRdsFailures({ restoredStatus: 'creating' }));

describe('a restore drill whose copy never becomes available', () => {
  let aws: Aws;
  let source: DbInstance;
  let drill: RestoreDrill;
  beforeEach(async () => {
    aws = moto.aws();
    const manifests = (await loadRevision('desired-state')).manifests;
    await buildShopDb(aws, await createNetwork(aws), manifests, { replicas: 0 });
    source = manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === 'shop-db')!;
    drill = manifests.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
  });

  it('gives up at its timeout, fails, and still deletes the copy', async () => {
    // The drill's clock: the start, the first read of the copy, then every later reading past the 90-minute timeout.
    const start = Date.now();
    let readings = 0;
    const now = () => new Date(start + (readings++ < 2 ? 0 : 91 * 60_000));

    const result = await runDrill(drill, source, { aws, controllerId: 'ballast', runner: 'cli' as const, pollIntervalMs: 10, now });

    expect(result).toMatchObject({ outcome: 'failed', reason: 'not available after 90 min (status "creating")', rtoSeconds: null });
    expect(result.drillInstance).toMatchObject({ identifier: expect.stringMatching(/^shop-db-drill-\d{12}$/), deleted: true });
    const left = await aws.rds.send(new DescribeDBInstancesCommand({}));
    expect(left.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['shop-db']);
  });
});

describe('the controller starting while a CLI drill is in flight', () => {
  let aws: Aws;
  let source: DbInstance;
  let drill: RestoreDrill;
  let repo: TestRepo;
  let running: RunningController | undefined;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    const manifests = (await loadRevision('desired-state')).manifests;
    await buildShopDb(aws, await createNetwork(aws), manifests, { replicas: 0 });
    source = manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === 'shop-db')!;
    drill = manifests.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
    repo = await createRepo();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await removeRepo(repo);
  });

  it('deletes its own crashed drill\'s copy and leaves the CLI drill\'s copy alone', async () => {
    // A copy of a drill the controller ran before it crashed, well within its deadline.
    const future = new Date(Date.now() + 3600_000).toISOString();
    await aws.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'shop-db-drill-202601050500',
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.medium',
        AllocatedStorage: 20,
        MasterUsername: 'shop_admin',
        ManageMasterUserPassword: true,
        Tags: Object.entries({ 'ballast.dev/managed-by': 'ballast', [DRILL_TAG]: 'shop-db-drill', [DRILL_DEADLINE_TAG]: future, [DRILL_RUNNER_TAG]: 'controller' }).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    // `ballast drill run` in someone's terminal: its copy is restored and it waits for it (the emulator keeps it "creating").
    let readings = 0;
    let copyMade = () => {};
    const made = new Promise<void>((resolve) => (copyMade = resolve));
    const abort = new AbortController();
    const cli = runDrill(drill, source, {
      aws,
      controllerId: 'ballast',
      runner: 'cli',
      pollIntervalMs: 50,
      signal: abort.signal,
      now: () => {
        if (++readings === 2) copyMade();
        return new Date();
      },
    });
    await within(made, 'the CLI drill\'s copy');
    const ids = async () => ((await aws.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? '').sort();
    const [copy] = (await ids()).filter((id) => /^shop-db-drill-\d{12}$/.test(id) && id !== 'shop-db-drill-202601050500');
    expect(copy).toBeDefined();

    // The controller starts leading: its clean-up runs before the first reconcile.
    const config = { ...CONTROLLER_DEFAULTS, repoUrl: repo.url, workdir: await tempDir('clone'), pollInterval: 3600, driftSchedule: '0 0 1 1 *', port: 0, host: '127.0.0.1' };
    await within(
      new Promise((resolve) => {
        void startController(config, pino({ level: 'silent' })).then((r) => {
          running = r;
          r.controller.once('reconciled', resolve);
        });
      }),
      'the first reconcile',
    );
    const left = await ids();
    expect(left).not.toContain('shop-db-drill-202601050500');
    expect(left).toContain(copy);

    // The CLI drill, stopped, still deletes its own copy.
    abort.abort();
    expect((await cli).drillInstance).toMatchObject({ identifier: copy, deleted: true });
  });
});
