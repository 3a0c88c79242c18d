import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { renderPlanMarkdown, COMMENT_MARKER } from '../../src/report/plan-markdown.js';
import type { Plan } from '../../src/plan/types.js';
import { useMoto } from '../support/moto.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';
import { fixtureTable } from '../support/prices.js';

const moto = useMoto();

describe('ballast plan -o markdown (the pull-request comment)', () => {
  let prices: string;
  let dir: string;
  beforeAll(async () => {
    prices = await fixtureTable();
  });
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const aws = moto.aws();
    await buildShopEstate(aws, await createNetwork(aws), (await loadRevision('desired-state')).manifests);
    dir = await copyDesiredState();
    // A resize, and a destructive change without the opt-in (lowering backup retention).
    await editManifest(dir, 'EcsService/storefront', (m) => {
      setField(['spec', 'cpu'], 1024)(m);
      setField(['spec', 'memory'], 2048)(m);
    });
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'backup', 'retentionDays'], 3));
  });

  it('puts the summary and cost first, refused and destructive changes before the others, and folds the full plan', async () => {
    const run = await runCli(['plan', dir, '--prices', prices, '-o', 'markdown', '--detailed-exitcode']);
    expect(run.code).toBe(2);
    const md = run.stdout;
    const lines = md.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe('### Ballast plan: 0 to create, 2 to update, 0 to delete, **1 refused** · + $54.06..$216.24/month');
    const refused = md.indexOf('#### ⚠️ Refused, destructive and disruptive');
    const changes = md.indexOf('#### Changes');
    expect(refused).toBeGreaterThan(0);
    expect(changes).toBeGreaterThan(refused);
    expect(md.slice(refused, changes)).toContain('- **DbInstance/shop-db** (update) ⛔ refused');
    expect(md.slice(refused, changes)).toContain('  - `spec.backup.retentionDays`: `14` → `3` _(destructive: lowering backup retention');
    expect(md.slice(changes)).toContain(
      '- **EcsService/storefront** (update) 🔁 rolls tasks · + $54.06..$216.24/month (3..12 tasks (auto scaling min..max) × (0.5 vCPU + 1 GB), Fargate x86\\_64 -> 3..12 tasks (auto scaling min..max) × (1 vCPU + 2 GB), Fargate x86\\_64)',
    );
    expect(md.slice(changes)).toContain('  - `spec.cpu`: `512` → `1024`');
    expect(md).toMatch(/<details><summary>Full plan<\/summary>\n\n```text\n[\s\S]*~ EcsService\/storefront[\s\S]*```\n<\/details>/);
    expect(md).toContain('<sub>Cost: + $54.06..$216.24/month in total. Prices: AWS Price List');
  });

  it('marks what each change disrupts, and puts a DB restart or failover with the refused and destructive ones', async () => {
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.xlarge'));
    const run = await runCli(['plan', dir, '--prices', prices, '-o', 'markdown', '--detailed-exitcode']);
    expect(run.code).toBe(2);
    const md = run.stdout;
    expect(md.split('\n')[1]).toMatch(/^### Ballast plan: 0 to create, 2 to update, 0 to delete, \*\*1 refused\*\*, \*\*1 restarts or replaces\*\* · /);
    const top = md.indexOf('#### ⚠️ Refused, destructive and disruptive');
    const changes = md.indexOf('#### Changes');
    expect(top).toBeGreaterThan(0);
    expect(changes).toBeGreaterThan(top);
    // Multi-AZ: the standby takes the new class, then the primary fails over.
    expect(md.slice(top, changes)).toMatch(/- \*\*DbInstance\/shop-db\*\* \(update\) ⛔ refused ⏸️ brief outage · \+ \$/);
    expect(md.slice(top, changes)).toMatch(/ {2}- → .*: ModifyDBInstance · disrupts: brief outage: Multi-AZ: the standby takes the new class, then shop-db fails over/);
    // A task size change is a routine rolling deployment: marked, but among the other changes.
    expect(md.slice(changes)).toContain('- **EcsService/storefront** (update) 🔁 rolls tasks · ');
    expect(md.slice(changes)).toMatch(/ {2}- → .*: .*UpdateService · disrupts: rolls tasks: a new deployment replaces every task \(taskDefinition/);
  });

  it('stays within the comment limit by counting what does not fit and cutting the folded plan', async () => {
    const plan = (await runCli(['plan', dir, '--prices', prices, '-o', 'json'])).json<Plan>();
    const md = renderPlanMarkdown(plan, { limit: 800 });
    expect(md.length).toBeLessThanOrEqual(800);
    expect(md).toContain('#### ⚠️ Refused, destructive and disruptive');
    expect(md).toMatch(/_…and 1 more resource: run `ballast plan` for all of them\._/);
    expect(md).toContain('… (cut: the full plan is');
  });

  it('writes a comment for invalid manifests too', async () => {
    await editManifest(dir, 'EcsService/storefront', setField(['spec', 'cpu'], 300));
    const run = await runCli(['plan', dir, '-o', 'markdown']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^<!-- ballast-plan -->\n### Ballast plan: invalid manifests \(1 problem\)\n\nNothing of this revision would be applied\.\n\n- `.*services\/storefront\.yaml:9:8: EcsService\/storefront: spec\.cpu: 300 is not a Fargate CPU size/);
  });
});
