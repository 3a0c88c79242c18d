import type { Kind, Manifest, ManifestOf } from '../schema/index.js';
import { collectRefs, LITERAL } from '../observe/refs.js';
import { allow, document, policySize, type PolicyDocument } from './document.js';
import { makeScope, type IamPolicyOptions, type Scope } from './scope.js';
import { add, type Grants } from './statements/grants.js';
import { ecsStatements } from './statements/ecs.js';
import { autoscalingStatements } from './statements/autoscaling.js';
import { dbStatements } from './statements/rds.js';
import { drillStatements } from './statements/drill.js';
import { alarmStatements, dashboardStatements } from './statements/cloudwatch.js';
import { dashboardDiscoveryStatements, pruneStatements } from './statements/prune.js';
import { eventsQueueStatements } from './statements/events.js';
import { INLINE_POLICY_LIMIT } from './limits.js';
import { assumeTargetStatements } from './statements/sts.js';

/**
 * The least-privilege IAM policy `ballast run` needs for a set of manifests: only the actions the kinds in use call,
 * with the ownership tag as a condition wherever the API checks tags, and (names scope) the manifests' names in the ARNs.
 * Pure: no AWS calls, so it can be generated and reviewed before anything exists.
 */

/** Kinds whose owned resources prune finds (by tag, or by their own discovery) and deletes. */
export const PRUNED_KINDS: readonly Kind[] = ['EcsService', 'ServiceAutoscaling', 'DbInstance', 'Alarm', 'Dashboard'];

/** The account lookups the manifests' references need (see resolveRefs): by name only, target groups always. */
function lookupActions(manifests: Manifest[]): string[] {
  const refs = collectRefs(manifests);
  const named = (type: keyof typeof refs) => [...refs[type]].some((r) => !LITERAL[type].test(r));
  return [
    named('subnet') && 'ec2:DescribeSubnets',
    named('securityGroup') && 'ec2:DescribeSecurityGroups',
    refs.targetGroup.size > 0 && 'elasticloadbalancing:DescribeTargetGroups',
    named('topic') && 'sns:ListTopics',
    // Role names become ARNs in the caller's account. (GetCallerIdentity needs no permission; listed so the policy names every call.)
    named('role') && 'sts:GetCallerIdentity',
  ].filter((a): a is string => typeof a === 'string');
}

const BY_KIND: { [K in Kind]: (ms: ManifestOf<K>[], s: Scope, grants: Grants) => void } = {
  EcsService: ecsStatements,
  ServiceAutoscaling: autoscalingStatements,
  DbInstance: dbStatements,
  Alarm: alarmStatements,
  Dashboard: dashboardStatements,
  RestoreDrill: drillStatements,
  Target: (targets, _s, grants) => add(grants, ...assumeTargetStatements(targets)),
};

function grantKind<K extends Kind>(kind: K, s: Scope, grants: Grants): void {
  const mine = s.manifests.filter((m) => m.kind === kind) as ManifestOf<K>[];
  if (mine.length > 0) BY_KIND[kind](mine, s, grants);
}

/** Exact names while the policy fits a role's inline policy; past that, names sharing a leading word become one prefix pattern. */
export function iamPolicy(manifests: Manifest[], options: IamPolicyOptions): PolicyDocument {
  const exact = build(manifests, options, false);
  return policySize(exact) <= INLINE_POLICY_LIMIT ? exact : build(manifests, options, true);
}

/** The policy with every name as it is (no prefix patterns): what `--check` holds a deployed policy to. */
export const exactPolicy = (manifests: Manifest[], options: IamPolicyOptions): PolicyDocument => build(manifests, options, false);

function build(manifests: Manifest[], options: IamPolicyOptions, compact: boolean): PolicyDocument {
  const s = makeScope(manifests, options, compact);
  // Every reconcile reads the ownership of all kinds with one tagging call.
  const grants: Grants = { statements: new Map(), unscoped: new Set(['tag:GetResources', ...lookupActions(manifests)]) };
  // Dashboards carry no tags: every reconcile lists them and reads the marker of those no manifest names.
  add(grants, ...dashboardDiscoveryStatements(s));
  grants.unscoped.add('cloudwatch:ListDashboards');
  // Owned services no ServiceAutoscaling covers are checked for a scalable target left behind.
  if (options.prune || manifests.some((m) => m.kind === 'EcsService')) {
    grants.unscoped.add('application-autoscaling:DescribeScalableTargets');
    grants.unscoped.add('application-autoscaling:DescribeScalingPolicies');
  }
  for (const kind of Object.keys(BY_KIND) as Kind[]) grantKind(kind, s, grants);
  if (options.prune) add(grants, ...pruneStatements(s));
  // The lease table is created when missing, then read and written (the leases, conditionally; the resources seen in
  // place; each replica's beat in the membership item, with --share-targets); nothing else of DynamoDB.
  if (options.leaseTable) {
    const table = s.arn('dynamodb', `table/${options.leaseTable}`);
    add(grants, allow('LeaderLease', ['dynamodb:DescribeTable', 'dynamodb:CreateTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [table]));
  }
  // The history table is created (with its TTL) when missing, then only appended to; `ballast history` reads it with the operator's own credentials.
  if (options.historyTable) {
    const table = s.arn('dynamodb', `table/${options.historyTable}`);
    add(grants, allow('WriteHistory', ['dynamodb:DescribeTable', 'dynamodb:CreateTable', 'dynamodb:UpdateTimeToLive', 'dynamodb:PutItem'], [table]));
  }
  if (options.eventsQueue) {
    add(grants, ...eventsQueueStatements(options.eventsQueue));
    // The controller tells its own writes from hand changes by its identity. (No permission needed; listed so the policy names every call.)
    grants.unscoped.add('sts:GetCallerIdentity');
  }
  // These list and describe calls support no resource-level permissions: IAM accepts only "*" for them.
  const unscoped = allow('ListAndDescribeWithoutResourceLevelPermissions', [...grants.unscoped], ['*']);
  return document([...grants.statements.values(), unscoped]);
}

export type { IamPolicyOptions, PolicyScope } from './scope.js';
export type { PolicyDocument, Statement } from './document.js';
