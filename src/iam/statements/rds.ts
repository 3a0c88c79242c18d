import type { DbInstance } from '../../schema/index.js';
import { allow, type Statement } from '../document.js';
import type { Scope } from '../scope.js';
import { add, type Grants } from './grants.js';

export const identifierOf = (m: DbInstance) => m.spec.identifier ?? m.metadata.name;

/** A KMS key named in a manifest: its ARN, or for an alias every key, narrowed by the alias condition. */
function kmsKey(s: Scope, ref: string): { resource: string; alias?: string } {
  const alias = /^(?:arn:[^:]+:kms:[^:]*:[^:]*:)?(alias\/.+)$/.exec(ref)?.[1];
  if (alias) return { resource: s.arn('kms', 'key/*'), alias };
  return { resource: ref.startsWith('arn:') ? ref : s.arn('kms', `key/${ref}`) };
}

const managedByRds = (m: DbInstance) => 'managedByRds' in m.spec.masterPassword;
const rdsSecretKey = (m: DbInstance) => ('kmsKey' in m.spec.masterPassword ? m.spec.masterPassword.kmsKey : undefined);

/**
 * The secret's name in the policy's partition, account and region; a name given without the random suffix (a
 * partial ARN) is matched with any suffix.
 */
function secretArns(s: Scope, arn: string): string[] {
  const name = arn.slice(arn.indexOf(':secret:') + ':secret:'.length);
  const named = s.arn('secretsmanager', `secret:${name}`);
  return /-[A-Za-z0-9]{6}$/.test(name) ? [named, `${named}-??????`] : [`${named}-??????`];
}

/** Customer managed keys the manifests name, used by RDS and Secrets Manager on the caller's behalf. */
function kmsStatements(dbs: DbInstance[], s: Scope): Statement[] {
  const refs = [...new Set(dbs.flatMap((m) => [m.spec.storage.kmsKeyId, rdsSecretKey(m)]).filter((k): k is string => k !== undefined))];
  const keys = refs.map((r) => kmsKey(s, r));
  const byArn = keys.flatMap((k) => (k.alias ? [] : [k.resource]));
  const aliases = keys.flatMap((k) => (k.alias ? [k.alias] : []));
  const viaRds = { StringLike: { 'kms:ViaService': ['rds.*.amazonaws.com', 'secretsmanager.*.amazonaws.com'] } };
  const actions = ['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey'];
  return [
    ...(byArn.length > 0 ? [allow('KmsKeysForRds', actions, byArn, viaRds)] : []),
    ...(aliases.length > 0
      ? [allow('KmsAliasedKeysForRds', actions, [s.arn('kms', 'key/*')], { ...viaRds, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } })]
      : []),
    // RDS describes the key of the managed master secret; without one stated that is the aws/secretsmanager key.
    ...(dbs.some((m) => managedByRds(m) && !rdsSecretKey(m))
      ? [
          allow('KmsDescribeSecretsManagerKey', ['kms:DescribeKey'], [s.arn('kms', 'key/*')], {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/aws/secretsmanager'] },
          }),
        ]
      : []),
  ];
}

/** Creating or moving an instance is authorized on the subnet, parameter and option groups it lands in as well. */
export function groupArns(dbs: DbInstance[], s: Scope): string[] {
  return [
    ...new Set([
      ...dbs.flatMap((m) => (m.spec.subnetGroup ? [s.arn('rds', `subgrp:${m.spec.subnetGroup}`)] : [])),
      ...dbs.map((m) => s.arn('rds', `pg:${m.spec.parameterGroup ?? 'default.*'}`)),
      s.arn('rds', 'og:default:*'),
    ]),
  ];
}

/** The batched read filters by identifier, which RDS authorizes as a read of every instance (`db:*`). */
export const rdsRead = (s: Scope) => allow('RdsReadInstances', ['rds:DescribeDBInstances'], [s.arn('rds', 'db:*')]);

export function dbStatements(dbs: DbInstance[], s: Scope, grants: Grants): void {
  const ids = dbs.map(identifierOf);
  // The primary and its read replicas, `<identifier>-replica-<n>`.
  const instances = s.named(ids, (id) => s.arn('rds', `db:${id}`)).flatMap((a) => (a.endsWith('*') ? [a] : [a, `${a}-replica-*`]));
  const replicas = s.named(ids, (id) => s.arn('rds', `db:${id}-replica-*`));
  const own = [...new Set(dbs.flatMap((m) => ('secretArn' in m.spec.masterPassword ? [m.spec.masterPassword.secretArn] : [])))].sort();
  // Replicas that follow traffic read the instances' metrics; GetMetricData takes no resource ARN.
  if (dbs.some((m) => m.spec.readReplicas?.target)) grants.unscoped.add('cloudwatch:GetMetricData');
  add(
    grants,
    rdsRead(s),
    allow('RdsCreateInstances', ['rds:CreateDBInstance', 'rds:CreateDBInstanceReadReplica'], instances, s.tagging),
    // RDS authorizes the tags of a create as AddTagsToResource (adoption tags an existing instance the same way):
    // only onto an instance no controller owns yet.
    allow('RdsTagNewInstances', ['rds:AddTagsToResource'], instances, s.claiming),
    allow('RdsUseGroups', ['rds:CreateDBInstance', 'rds:CreateDBInstanceReadReplica', 'rds:ModifyDBInstance'], groupArns(dbs, s)),
    // AddTagsToResource here: the replica scaler stamps its cooldown on the primary; retagging drops tags the manifest no longer implies.
    allow('RdsChangeOwnedInstances', ['rds:ModifyDBInstance', 'rds:AddTagsToResource', 'rds:RemoveTagsFromResource'], instances, s.owned),
    // Scaling in deletes owned replicas; a primary is deleted only by prune, with the destructive opt-in.
    allow('RdsDeleteOwnedReplicas', ['rds:DeleteDBInstance'], replicas, s.owned),
    // RDS keeps the master password in a secret it creates (named rds!…) in the caller's name.
    ...(dbs.some(managedByRds) ? [allow('RdsManagedMasterSecret', ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], [s.arn('secretsmanager', 'secret:rds!*')])] : []),
    // The team's own master password secrets: the version on every reconcile, the value only to set it.
    ...(own.length > 0 ? [allow('ReadMasterPasswordSecrets', ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], own.flatMap((a) => secretArns(s, a)))] : []),
    ...kmsStatements(dbs, s),
    allow('RdsServiceLinkedRole', ['iam:CreateServiceLinkedRole'], [s.globalArn('iam', 'role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS')], {
      StringEquals: { 'iam:AWSServiceName': 'rds.amazonaws.com' },
    }),
  );
}
