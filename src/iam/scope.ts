import type { Manifest } from '../schema/index.js';
import { ALLOW_DESTRUCTIVE_TAG, MANAGED_BY_TAG } from '../engine/tags.js';
import type { Condition } from './document.js';
import { partitionOf } from './document.js';

/**
 * `tags` (the default): writes reach any resource of the type in the account and region, limited by the ownership
 * tag, so a new service, DB or alarm needs no policy change. `names`: writes also limited to the manifests' names.
 */
export type PolicyScope = 'tags' | 'names';

export interface IamPolicyOptions {
  /** The ownership tag value the controller writes and checks (its --controller-id). */
  controllerId: string;
  scope?: PolicyScope;
  /** The controller runs with --prune: deletes then reach owned resources that no manifest names any more. */
  prune?: boolean;
  /** The controller elects a leader through this DynamoDB table (its --lease-table). */
  leaseTable?: string;
  /** The controller records its writes in this DynamoDB table (its --history-table). */
  historyTable?: string;
  /** The controller reads change events from this SQS queue URL (its --events-queue). */
  eventsQueue?: string;
  /** Narrow every ARN to one account and region; any (`*`) by default. The partition follows the region. */
  account?: string;
  region?: string;
}

/** What every kind's statements are built from: ARN makers, the ownership conditions and how resources are named. */
export interface Scope {
  kind: PolicyScope;
  manifests: Manifest[];
  arn(service: string, resource: string): string;
  /** IAM and CloudWatch dashboards are global: no region in the ARN. */
  globalArn(service: string, resource: string): string;
  /** Names as ARN parts: themselves, or prefix patterns when the policy would not fit otherwise. */
  names(names: string[]): string[];
  /** The resources of one type the manifests name: every one (`*`) in tags scope, the names in names scope. */
  named(names: string[], toArn: (name: string) => string): string[];
  /** The resource carries this controller's ownership tag (updates). */
  owned: Condition;
  /** ... and the destructive opt-in tag (deletes of what serves traffic or holds data). */
  destructive: Condition;
  /** The request sets this controller's ownership tag (creates). */
  tagging: Condition;
  /** The request sets the ownership tag on a resource that carries none yet (tag-on-create, adoption). */
  claiming: Condition;
}

function commonPrefix(names: string[]): string {
  let prefix = names[0] ?? '';
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** The names themselves, or (compact) one `<common prefix>*` per leading word of several names, e.g. `shop-db-*`. */
function namePatterns(names: string[], compact: boolean): string[] {
  const unique = [...new Set(names)].sort();
  if (!compact) return unique;
  const groups = new Map<string, string[]>();
  for (const n of unique) {
    const head = n.split('-')[0]!;
    groups.set(head, [...(groups.get(head) ?? []), n]);
  }
  return [...groups.values()].map((group) => (group.length === 1 ? group[0]! : `${commonPrefix(group)}*`));
}

export function makeScope(manifests: Manifest[], options: IamPolicyOptions, compact: boolean): Scope {
  const partition = partitionOf(options.region);
  const account = options.account ?? '*';
  const region = options.region ?? '*';
  const kind = options.scope ?? 'tags';
  const names = (list: string[]) => namePatterns(list, compact);
  const resourceTag = { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: options.controllerId };
  const requestTag = { [`aws:RequestTag/${MANAGED_BY_TAG}`]: options.controllerId };
  return {
    kind,
    manifests,
    arn: (service, resource) => `arn:${partition}:${service}:${region}:${account}:${resource}`,
    globalArn: (service, resource) => `arn:${partition}:${service}::${account}:${resource}`,
    names,
    named: (list, toArn) => (kind === 'tags' ? [toArn('*')] : names(list).map(toArn)),
    owned: { StringEquals: resourceTag },
    destructive: { StringEquals: { ...resourceTag, [`aws:ResourceTag/${ALLOW_DESTRUCTIVE_TAG}`]: 'true' } },
    tagging: { StringEquals: requestTag },
    claiming: { StringEquals: requestTag, Null: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: 'true' } },
  };
}
