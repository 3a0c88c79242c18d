import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, type TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Aws } from '../aws/clients.js';
import type { Manifest } from '../schema/index.js';
import { ResourceFailure, type RefType, type Refs } from '../engine/types.js';
import { chunks } from '../aws/batch.js';

/** Target group names per DescribeTargetGroups call. */
const TARGET_GROUP_BATCH = 20;

/** Refs written as ids or ARNs; anything else is a name looked up in the account. */
export const LITERAL: Record<RefType, RegExp> = {
  subnet: /^subnet-[0-9a-f]+$/,
  securityGroup: /^sg-[0-9a-f]+$/,
  targetGroup: /^arn:/,
  topic: /^arn:/,
  role: /^arn:/,
};

const NOUN: Record<RefType, string> = {
  subnet: 'subnet (by Name tag)',
  securityGroup: 'security group (by Name tag)',
  targetGroup: 'target group',
  topic: 'SNS topic',
  role: 'IAM role',
};

/** Every account-specific ref the manifests name, by type. */
export function collectRefs(manifests: Manifest[]): Record<RefType, Set<string>> {
  const refs: Record<RefType, Set<string>> = {
    subnet: new Set(),
    securityGroup: new Set(),
    targetGroup: new Set(),
    topic: new Set(),
    role: new Set(),
  };
  for (const m of manifests) {
    if (m.kind === 'EcsService') {
      m.spec.network.subnets.forEach((s) => refs.subnet.add(s));
      m.spec.network.securityGroups.forEach((s) => refs.securityGroup.add(s));
      if (m.spec.loadBalancer) refs.targetGroup.add(m.spec.loadBalancer.targetGroup);
      for (const role of [m.spec.executionRole, m.spec.taskRole]) if (role) refs.role.add(role);
    } else if (m.kind === 'DbInstance') {
      m.spec.securityGroups?.forEach((s) => refs.securityGroup.add(s));
    } else if (m.kind === 'Alarm') {
      const a = m.spec.actions;
      for (const topic of [...(a?.alarm ?? []), ...(a?.ok ?? []), ...(a?.insufficientData ?? [])]) refs.topic.add(topic);
    }
  }
  return refs;
}

/**
 * Resolves names to ids with one batched read per type: subnets and security groups by their `Name` tag, target
 * groups by name, topics by name, roles by name in the caller's account. Literal ids and ARNs are used as given.
 * A failed lookup fails only the resources that use it.
 */
export async function resolveRefs(manifests: Manifest[], aws: Aws): Promise<Refs> {
  const wanted = collectRefs(manifests);
  const resolved = new Map<string, string>();
  const failures = new Map<RefType, string>();
  const lbOf = new Map<string, string>();
  const region = await aws.region();
  let accountId: string | undefined;
  let partition = 'aws';

  const names = (type: RefType) => [...wanted[type]].filter((r) => !LITERAL[type].test(r));
  const guard = async (type: RefType, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      failures.set(type, `${(err as Error).name}: ${(err as Error).message}`);
    }
  };
  const byNameTag = (items: { Tags?: { Key?: string; Value?: string }[] }[], id: (i: never) => string | undefined, type: RefType) => {
    for (const item of items) {
      const name = item.Tags?.find((t) => t.Key === 'Name')?.Value;
      const value = id(item as never);
      if (!name || !value) continue;
      const key = `${type}:${name}`;
      // Two pieces with one Name would make the manifest ambiguous: refuse rather than guess.
      resolved.set(key, resolved.has(key) && resolved.get(key) !== value ? '' : value);
    }
  };

  await Promise.all([
    names('subnet').length &&
      guard('subnet', async () => {
        const out = await aws.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: names('subnet') }] }));
        byNameTag(out.Subnets ?? [], (s: { SubnetId?: string }) => s.SubnetId, 'subnet');
      }),
    names('securityGroup').length &&
      guard('securityGroup', async () => {
        const out = await aws.ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:Name', Values: names('securityGroup') }] }),
        );
        byNameTag(out.SecurityGroups ?? [], (g: { GroupId?: string }) => g.GroupId, 'securityGroup');
      }),
    wanted.targetGroup.size &&
      guard('targetGroup', async () => {
        for (const tg of await describeTargetGroups(aws, [...wanted.targetGroup])) {
          resolved.set(`targetGroup:${tg.TargetGroupName}`, tg.TargetGroupArn!);
          resolved.set(`targetGroup:${tg.TargetGroupArn}`, tg.TargetGroupArn!);
          const lb = tg.LoadBalancerArns?.[0];
          if (lb) lbOf.set(tg.TargetGroupArn!, lb);
        }
      }),
    names('topic').length &&
      guard('topic', async () => {
        let NextToken: string | undefined;
        do {
          const out = await aws.sns.send(new ListTopicsCommand({ NextToken }));
          for (const t of out.Topics ?? []) if (t.TopicArn) resolved.set(`topic:${t.TopicArn.split(':').pop()}`, t.TopicArn);
          NextToken = out.NextToken;
        } while (NextToken);
      }),
    names('role').length &&
      guard('role', async () => {
        const me = await aws.sts.send(new GetCallerIdentityCommand({}));
        accountId = me.Account;
        partition = me.Arn?.split(':')[1] ?? partition;
        for (const name of names('role')) resolved.set(`role:${name}`, `arn:${partition}:iam::${accountId}:role/${name}`);
      }),
  ]);

  return {
    get accountId() {
      return accountId;
    },
    region,
    require(type, ref) {
      if (LITERAL[type].test(ref) && type !== 'targetGroup') return ref;
      const failure = failures.get(type);
      if (failure) throw new ResourceFailure('LookupFailed', `cannot resolve ${NOUN[type]} "${ref}": ${failure}`, false, ref);
      const value = resolved.get(`${type}:${ref}`);
      if (value === '') throw new ResourceFailure('AmbiguousReference', `${NOUN[type]} "${ref}" matches more than one resource`, true, ref);
      if (!value) throw new ResourceFailure('ReferenceNotFound', `${NOUN[type]} "${ref}" not found in ${region}`, true, ref);
      return value;
    },
    loadBalancerOf: (arn) => lbOf.get(arn),
  };
}

/**
 * DescribeTargetGroups fails the whole call when one name is missing, so a failed batch is retried one by one
 * to keep the others.
 */
async function describeTargetGroups(aws: Aws, refs: string[]): Promise<TargetGroup[]> {
  const out: TargetGroup[] = [];
  const arns = refs.filter((r) => r.startsWith('arn:'));
  const names = refs.filter((r) => !r.startsWith('arn:'));
  const batches: { Names?: string[]; TargetGroupArns?: string[] }[] = [];
  for (const Names of chunks(names, TARGET_GROUP_BATCH)) batches.push({ Names });
  for (const TargetGroupArns of chunks(arns, TARGET_GROUP_BATCH)) batches.push({ TargetGroupArns });
  for (const batch of batches) {
    try {
      out.push(...((await aws.elbv2.send(new DescribeTargetGroupsCommand(batch))).TargetGroups ?? []));
    } catch (err) {
      if ((err as Error).name !== 'TargetGroupNotFoundException') throw err;
      const singles = [...(batch.Names ?? []).map((n) => ({ Names: [n] })), ...(batch.TargetGroupArns ?? []).map((a) => ({ TargetGroupArns: [a] }))];
      for (const single of singles) {
        try {
          out.push(...((await aws.elbv2.send(new DescribeTargetGroupsCommand(single))).TargetGroups ?? []));
        } catch (e) {
          if ((e as Error).name !== 'TargetGroupNotFoundException') throw e;
        }
      }
    }
  }
  return out;
}
