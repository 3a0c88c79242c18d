import { PutMetricAlarmCommand, type Dimension, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { Aws } from '../../../src/aws/clients.js';
import type { Alarm, Manifest } from '../../../src/schema/index.js';
import { asKeyValue, ownershipTags } from '../../../src/engine/tags.js';
import type { Network } from '../../../src/demo/network.js';

type DimensionsFrom = NonNullable<NonNullable<Alarm['spec']['metric']>['dimensionsFrom']>;

/** The ARN's resource part, as NLB metrics name their dimensions. */
const elbDimension = (arn: string) => arn.split(':')[5]!.replace(/^loadbalancer\//, '');

/**
 * What desired-state/ means by each dimensionsFrom, spelled out for the shop (cluster "shop", DB "shop-db",
 * storefront behind shop-nlb), not through Ballast's resolver.
 */
function shopDimensions(from: DimensionsFrom, net: Network): Dimension[] {
  if (from.ecsService) return [{ Name: 'ClusterName', Value: 'shop' }, { Name: 'ServiceName', Value: from.ecsService }];
  if (from.targetGroupOf === 'storefront') {
    return [
      { Name: 'TargetGroup', Value: elbDimension(net.targetGroups['shop-storefront']!) },
      { Name: 'LoadBalancer', Value: elbDimension(net.loadBalancerArn) },
    ];
  }
  if (from.dbInstance === 'shop-db') {
    return [{ Name: 'DBInstanceIdentifier', Value: from.replica ? `shop-db-replica-${from.replica}` : 'shop-db' }];
  }
  throw new Error(`the shop estate has no dimensions for ${JSON.stringify(from)}`);
}

/** The full PutMetricAlarm input of one desired-state/ alarm (single metric, the shop's topic), without tags. */
export function shopAlarmInput(m: Alarm, net: Network): PutMetricAlarmCommandInput {
  const s = m.spec;
  const metric = s.metric!;
  const topics = (refs: string[] | undefined) =>
    refs?.map((ref) => {
      if (ref !== 'shop-alerts') throw new Error(`the shop estate has no topic ${ref}`);
      return net.topicArn;
    }) ?? [];
  return {
    AlarmName: m.metadata.name,
    AlarmDescription: s.description,
    ActionsEnabled: true,
    AlarmActions: topics(s.actions?.alarm),
    OKActions: topics(s.actions?.ok),
    InsufficientDataActions: topics(s.actions?.insufficientData),
    Namespace: metric.namespace,
    MetricName: metric.name,
    Dimensions: shopDimensions(metric.dimensionsFrom!, net),
    Period: metric.period,
    Statistic: metric.statistic as PutMetricAlarmCommandInput['Statistic'],
    EvaluationPeriods: s.evaluationPeriods,
    DatapointsToAlarm: s.datapointsToAlarm,
    Threshold: s.threshold,
    ComparisonOperator: s.comparison,
    TreatMissingData: s.treatMissingData,
  };
}

/** Every Alarm of desired-state/, put straight through the SDK and tagged as this controller's. */
export async function createShopAlarms(aws: Aws, net: Network, manifests: Manifest[], controllerId = 'ballast'): Promise<void> {
  for (const m of manifests) {
    if (m.kind !== 'Alarm') continue;
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...shopAlarmInput(m, net), Tags: asKeyValue(ownershipTags(controllerId, m)) }));
  }
}
