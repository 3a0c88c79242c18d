import { beforeAll, describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import type { Manifest } from '../../src/schema/index.js';
import { MalformedEvent, parseEvent } from '../../src/events/event.js';
import { handlesOf, manifestsTouched, manifestsWhere, ownIdentities } from '../../src/events/touched.js';
import { alarmYaml, EU, targetYaml } from '../support/accounts.js';
import { tempDir } from '../support/temp.js';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';

const HAND = 'arn:aws:sts::123456789012:assumed-role/Admin/alice';

/** An event as EventBridge delivers a CloudTrail management event to SQS. */
const cloudTrail = (source: string, eventName: string, requestParameters: Record<string, unknown>, where = { account: '123456789012', region: 'us-east-1' }) =>
  JSON.stringify({
    version: '0',
    id: 'e1',
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    ...where,
    time: '2026-11-27T19:00:00Z',
    resources: [],
    detail: { eventSource: `${source.slice(4)}.amazonaws.com`, eventName, userIdentity: { type: 'AssumedRole', arn: HAND }, requestParameters },
  });

const serviceEvent = (source: string, detailType: string, resources: string[]) =>
  JSON.stringify({ version: '0', id: 'e2', 'detail-type': detailType, source, account: '123456789012', time: '2026-11-27T19:00:00Z', region: 'us-east-1', resources, detail: {} });

describe('change events', () => {
  let manifests: Manifest[];
  const touched = (body: string) => manifestsTouched(handlesOf(parseEvent(body)) ?? [], manifests);

  beforeAll(async () => {
    manifests = (await loadRevision('desired-state')).manifests;
  });

  it('name the manifests a hand-made API call changed, whatever form CloudTrail gives the name in', () => {
    expect(touched(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'storefront-cpu-high' }))).toEqual(['Alarm/storefront-cpu-high']);
    expect(touched(cloudTrail('aws.monitoring', 'DeleteAlarms', { alarmNames: ['checkout-cpu-high', 'someone-elses'] }))).toEqual(['Alarm/checkout-cpu-high']);
    expect(touched(cloudTrail('aws.monitoring', 'PutDashboard', { dashboardName: 'shop' }))).toEqual(['Dashboard/shop']);
    expect(touched(cloudTrail('aws.ecs', 'UpdateService', { cluster: 'shop', service: 'storefront', desiredCount: 9 }))).toEqual(['EcsService/storefront']);
    expect(touched(cloudTrail('aws.ecs', 'UpdateService', { service: 'arn:aws:ecs:us-east-1:123456789012:service/shop/checkout' }))).toEqual(['EcsService/checkout']);
    expect(touched(cloudTrail('aws.application-autoscaling', 'PutScalingPolicy', { resourceId: 'service/shop/storefront', policyName: 'x' }))).toEqual(['ServiceAutoscaling/storefront']);
    expect(touched(cloudTrail('aws.rds', 'ModifyDBInstance', { dBInstanceIdentifier: 'shop-db', allocatedStorage: 500 }))).toEqual(['DbInstance/shop-db']);
    // A replica belongs to its primary's manifest.
    expect(touched(cloudTrail('aws.rds', 'DeleteDBInstance', { dBInstanceIdentifier: 'shop-db-replica-2' }))).toEqual(['DbInstance/shop-db']);
    expect(touched(cloudTrail('aws.rds', 'RemoveTagsFromResource', { resourceName: 'arn:aws:rds:us-east-1:123456789012:db:shop-db', tagKeys: ['ballast.dev/managed-by'] }))).toEqual(['DbInstance/shop-db']);
    expect(touched(cloudTrail('aws.ecs', 'UntagResource', { resourceArn: 'arn:aws:ecs:us-east-1:123456789012:service/shop/worker' }))).toEqual(['EcsService/worker']);
  });

  it('name the resource of an ECS or RDS service event', () => {
    expect(touched(serviceEvent('aws.ecs', 'ECS Deployment State Change', ['arn:aws:ecs:us-east-1:123456789012:service/shop/catalog']))).toEqual(['EcsService/catalog']);
    expect(touched(serviceEvent('aws.rds', 'RDS DB Instance Event', ['arn:aws:rds:us-east-1:123456789012:db:shop-db']))).toEqual(['DbInstance/shop-db']);
  });

  it('tell unmanaged resources (no manifest) from events Ballast does not watch (foreign)', () => {
    expect(handlesOf(parseEvent(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'someone-elses' })))).toEqual([{ type: 'alarm', name: 'someone-elses' }]);
    expect(touched(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'someone-elses' }))).toEqual([]);
    expect(handlesOf(parseEvent(cloudTrail('aws.s3', 'PutObject', { bucketName: 'b' })))).toBeUndefined();
    expect(handlesOf(parseEvent(cloudTrail('aws.monitoring', 'SetAlarmState', { alarmName: 'storefront-cpu-high' })))).toBeUndefined();
    expect(handlesOf(parseEvent(serviceEvent('aws.ecs', 'ECS Task State Change', ['arn:aws:ecs:us-east-1:123456789012:task/shop/abc'])))).toBeUndefined();
  });

  it('keep who made the call, so the controller can skip its own writes', () => {
    expect(parseEvent(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'a' })).actor).toBe(HAND);
  });

  it('refuse what is not an EventBridge event, saying why', () => {
    for (const [body, reason] of [
      ['not json at all', /not JSON/],
      ['[1,2]', /not a JSON object/],
      ['{"Records":[{"eventSource":"aws:s3"}]}', /not an EventBridge event/],
      [undefined, /not JSON/],
    ] as const) {
      expect(() => parseEvent(body)).toThrow(MalformedEvent);
      expect(() => parseEvent(body)).toThrow(reason);
    }
  });

  it('name only the manifests of the target the event happened in, and know the controller in every target role', async () => {
    const dir = await tempDir('events-targets');
    await cp('desired-state', path.join(dir, 'desired-state'), { recursive: true });
    await writeFile(path.join(dir, 'desired-state', 'eu.yaml'), `${targetYaml(EU.name, EU.account, EU.region, 'ballast')}---\n${alarmYaml('eu-cpu', EU.name)}`);
    const placed = (await loadRevision(path.join(dir, 'desired-state'))).manifests;
    expect(placed.length).toBeGreaterThan(manifests.length);
    const home = { account: '123456789012', region: 'us-east-1' };
    const eu = { account: EU.account, region: EU.region };
    const where = (body: string) => manifestsTouched(handlesOf(parseEvent(body)) ?? [], manifestsWhere(parseEvent(body), placed, home));

    expect(where(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'eu-cpu' }, eu))).toEqual(['Alarm/eu-cpu']);
    expect(where(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'storefront-cpu-high' }, home))).toEqual(['Alarm/storefront-cpu-high']);
    // The same names somewhere else are other resources: another account, or the target's account in another region.
    expect(where(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'eu-cpu' }, home))).toEqual([]);
    expect(where(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'storefront-cpu-high' }, eu))).toEqual([]);
    expect(where(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'eu-cpu' }, { account: EU.account, region: 'us-east-1' }))).toEqual([]);
    expect(where(cloudTrail('aws.monitoring', 'PutMetricAlarm', { alarmName: 'storefront-cpu-high' }, { account: '999999999999', region: 'us-east-1' }))).toEqual([]);

    const own = ownIdentities('arn:aws:sts::123456789012:assumed-role/ballast/task', placed, 'ballast-ballast');
    expect([...own].sort()).toEqual(['arn:aws:sts::111111111111:assumed-role/ballast/ballast-ballast', 'arn:aws:sts::123456789012:assumed-role/ballast/task']);
    expect(own.has(HAND)).toBe(false);
  });
});
