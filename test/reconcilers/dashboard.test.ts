import { beforeAll, describe, expect, it } from 'vitest';
import { GetDashboardCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import type { Aws } from '../../src/aws/clients.js';
import type { Dashboard, Manifest } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeContext } from '../support/context.js';
import { sendCall } from '../../src/apply/send.js';
import { dashboard } from '../../src/reconcilers/dashboard/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createShopDashboard, shopDashboardBody } from '../support/estate/dashboard.js';

const moto = useMoto();
let desired: Manifest[];
let shop: Dashboard;

beforeAll(async () => {
  desired = (await loadRevision('desired-state')).manifests;
  shop = desired.find((m): m is Dashboard => m.kind === 'Dashboard' && m.metadata.name === 'shop')!;
});

async function observe(aws: Aws, controllerId = 'ballast') {
  const ctx = await observeContext(createSession(aws, { controllerId }), desired, ['cloudwatch:alarm']);
  const observation = (await dashboard.observe([shop], ctx)).get('shop')!;
  return { ctx, observation };
}

async function changes(aws: Aws) {
  const { ctx, observation } = await observe(aws);
  if (observation.state !== 'found') throw new Error(`shop is ${JSON.stringify(observation)}`);
  return dashboard.diff(shop, observation.live, ctx);
}

const putBody = (aws: Aws, body: string) => aws.cloudwatch.send(new PutDashboardCommand({ DashboardName: 'shop', DashboardBody: body }));

/** The same JSON with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
}

describe('Dashboard reconciler', () => {
  it('sees no change on the shop dashboard built by hand to match desired-state/, and owns it', async () => {
    const aws = moto.aws();
    await createShopDashboard(aws, await createNetwork(aws));
    const { ctx, observation } = await observe(aws);
    expect(observation).toMatchObject({ state: 'found', owned: true });
    expect(dashboard.diff(shop, (observation as { live: Record<string, unknown> }).live, ctx)).toEqual([]);
  });

  it('sees no change when the same body is stored with other key order and whitespace', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    await putBody(aws, JSON.stringify(reversedKeys(shopDashboardBody(net)), null, 3));
    expect(await changes(aws)).toEqual([]);
  });

  it('names the one widget edited in the console', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    const body = shopDashboardBody(net);
    const edited = structuredClone(body);
    const cpu = edited.widgets[2]! as { properties: { stat: string } };
    cpu.properties.stat = 'Maximum';
    await putBody(aws, JSON.stringify(edited));
    expect(await changes(aws)).toEqual([{ path: 'body.widgets[2]', live: edited.widgets[2], desired: body.widgets[2] }]);
  });

  it('reports widgets added in the console as one change of the body, with a summary of both sides', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    const body = shopDashboardBody(net);
    const extra = { type: 'text', x: 0, y: 42, width: 6, height: 2, properties: { markdown: 'console note' } };
    await putBody(aws, JSON.stringify({ ...body, widgets: [...body.widgets, extra] }));
    const [change, ...rest] = await changes(aws);
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ path: 'body' });
    const live = change!.live as { widgets: string[] };
    const wanted = change!.desired as { widgets: string[] };
    expect(live.widgets.at(-1)).toBe('text "console note"');
    expect(wanted.widgets).toHaveLength(body.widgets.length);
    expect(wanted.widgets).toContain('metric "storefront: CPU %"');
  });

  it('does not own a dashboard another controller made, even one whose id starts with ours', async () => {
    const aws = moto.aws();
    await createShopDashboard(aws, await createNetwork(aws), 'ballast-staging');
    const { observation } = await observe(aws);
    expect(observation).toMatchObject({ state: 'found', owned: false });
  });

  it('creates the dashboard on an empty estate with exactly the body desired-state/ stands for', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    const { ctx, observation } = await observe(aws);
    expect(observation).toEqual({ state: 'missing' });
    expect(await dashboard.health(shop, ctx)).toMatchObject({ steady: false });

    const steps = dashboard.steps(shop, undefined, [], ctx);
    expect(steps.flatMap((s) => s.calls.map((c) => c.operation))).toEqual(['PutDashboard']);
    for (const call of steps.flatMap((s) => s.calls)) await sendCall(aws, call);

    const stored = await aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: 'shop' }));
    expect(JSON.parse(stored.DashboardBody!)).toEqual(shopDashboardBody(net));
    const again = await observe(aws);
    expect(again.observation).toMatchObject({ state: 'found', owned: true });
    expect(await changes(aws)).toEqual([]);
    expect(await dashboard.health(shop, again.ctx)).toMatchObject({ steady: true });
  });

  it('puts an edited dashboard back with one PutDashboard of the rendered body', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    const edited = shopDashboardBody(net);
    edited.widgets.splice(3, 1);
    await putBody(aws, JSON.stringify(edited));
    const { ctx, observation } = await observe(aws);
    if (observation.state !== 'found') throw new Error('shop not found');
    const steps = dashboard.steps(shop, observation.live, dashboard.diff(shop, observation.live, ctx), ctx);
    aws.counter.reset();
    for (const call of steps.flatMap((s) => s.calls)) await sendCall(aws, call);
    expect(aws.counter.writes().map((c) => c.operation)).toEqual(['PutDashboard']);
    expect(await changes(aws)).toEqual([]);
  });
});
