import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import type { Aws } from '../aws/clients.js';
import { arnName } from '../diff/compare.js';

/** Ids -> the `Name` tag, when exactly one piece carries it (else the id stays, which manifests accept too). */
async function byNameTag(ids: string[], read: (ids: string[]) => Promise<{ id?: string; tags?: { Key?: string; Value?: string }[] }[]>): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const pieces = await read(ids);
  const names = new Map(pieces.map((p) => [p.id ?? '', p.tags?.find((t) => t.Key === 'Name')?.Value]));
  const counts = new Map<string, number>();
  for (const name of names.values()) if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  return new Map([...names].flatMap(([id, name]) => (name && counts.get(name) === 1 ? [[id, name] as [string, string]] : [])));
}

/** Turns the ids and ARNs AWS returns into the names people write in manifests, where Ballast can look them up. */
export class Names {
  private subnets = new Map<string, string>();
  private groups = new Map<string, string>();

  constructor(private readonly aws: Aws) {}

  async load(subnetIds: string[], groupIds: string[]): Promise<void> {
    const [subnets, groups] = await Promise.all([
      byNameTag([...new Set(subnetIds)], async (SubnetIds) =>
        ((await this.aws.ec2.send(new DescribeSubnetsCommand({ SubnetIds }))).Subnets ?? []).map((s) => ({ id: s.SubnetId, tags: s.Tags })),
      ),
      byNameTag([...new Set(groupIds)], async (GroupIds) =>
        ((await this.aws.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds }))).SecurityGroups ?? []).map((g) => ({ id: g.GroupId, tags: g.Tags })),
      ),
    ]);
    this.subnets = new Map([...this.subnets, ...subnets]);
    this.groups = new Map([...this.groups, ...groups]);
  }

  subnet = (id: string) => this.subnets.get(id) ?? id;
  securityGroup = (id: string) => this.groups.get(id) ?? id;
  /** `arn:…:targetgroup/shop-storefront/0123` -> `shop-storefront` (target group names are unique per account and region). */
  targetGroup = (arn: string) => arn.split('/').at(-2) ?? arn;
  /** `arn:aws:iam::1:role/x` -> `x`: Ballast looks role names up in the caller's account. */
  role = (arn: string) => (arn.includes(':role/') && !arn.slice(arn.indexOf(':role/') + 6).includes('/') ? arnName(arn) : arn);
  /** `arn:aws:sns:r:1:shop-alerts` -> `shop-alerts`. */
  topic = (arn: string) => arn.split(':').at(-1) ?? arn;
}
