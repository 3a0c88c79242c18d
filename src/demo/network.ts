import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateDBSubnetGroupCommand } from '@aws-sdk/client-rds';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import type { Aws } from '../aws/clients.js';

export interface Network {
  vpcId: string;
  subnets: Record<string, string>;
  securityGroups: Record<string, string>;
  targetGroups: Record<string, string>;
  loadBalancerArn: string;
  topicArn: string;
  /** The shop-db master password secret (a JSON object with `username` and `password`). */
  masterSecretArn: string;
}

const nameTag = (resourceType: 'vpc' | 'subnet' | 'security-group', name: string) => [
  { ResourceType: resourceType, Tags: [{ Key: 'Name', Value: name }] },
];

/**
 * The account pieces desired-state/ expects but does not manage: VPC, subnets in three AZs, security groups,
 * an NLB with an `ip` target group, the alerts topic, the ECS cluster, the DB subnet group and shop-db's master
 * password secret (a random password that nobody sees).
 */
export async function createNetwork(aws: Aws): Promise<Network> {
  const region = await aws.region();
  const vpc = await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16', TagSpecifications: nameTag('vpc', 'shop') }));
  const vpcId = vpc.Vpc!.VpcId!;
  const subnets: Record<string, string> = {};
  for (const [i, az] of ['a', 'b', 'c'].entries()) {
    const name = `shop-private-${az}`;
    const s = await aws.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.20.${i}.0/24`, AvailabilityZone: `${region}${az}`, TagSpecifications: nameTag('subnet', name) }),
    );
    subnets[name] = s.Subnet!.SubnetId!;
  }
  const securityGroups: Record<string, string> = {};
  for (const name of ['shop-services', 'shop-db']) {
    const g = await aws.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId, TagSpecifications: nameTag('security-group', name) }),
    );
    securityGroups[name] = g.GroupId!;
  }
  const lb = await aws.elbv2.send(
    new CreateLoadBalancerCommand({ Name: 'shop-nlb', Type: 'network', Scheme: 'internet-facing', Subnets: Object.values(subnets) }),
  );
  const loadBalancerArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
  const targetGroups: Record<string, string> = {};
  for (const name of ['shop-storefront']) {
    const tg = await aws.elbv2.send(
      new CreateTargetGroupCommand({ Name: name, Protocol: 'TCP', Port: 8080, VpcId: vpcId, TargetType: 'ip' }),
    );
    targetGroups[name] = tg.TargetGroups![0]!.TargetGroupArn!;
  }
  await aws.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'TCP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroups['shop-storefront'] }],
    }),
  );
  const topic = await aws.sns.send(new CreateTopicCommand({ Name: 'shop-alerts' }));
  // Tagged because the emulator's tagging API fails on an ECS cluster that has no tags at all.
  await aws.ecs.send(new CreateClusterCommand({ clusterName: 'shop', tags: [{ key: 'team', value: 'platform' }] }));
  await aws.rds.send(
    new CreateDBSubnetGroupCommand({ DBSubnetGroupName: 'shop-db', DBSubnetGroupDescription: 'shop-db', SubnetIds: Object.values(subnets) }),
  );
  const secret = await aws.secretsmanager.send(
    new CreateSecretCommand({
      Name: 'shop/shop-db/master',
      SecretString: JSON.stringify({ username: 'shop_admin', password: randomBytes(18).toString('base64url') }),
    }),
  );
  return { vpcId, subnets, securityGroups, targetGroups, loadBalancerArn, topicArn: topic.TopicArn!, masterSecretArn: secret.ARN! };
}
