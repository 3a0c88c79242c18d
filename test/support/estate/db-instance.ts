import { CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand } from '@aws-sdk/client-rds';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { PASSWORD_VERSION_TAG } from '../../../src/reconcilers/db-instance/master-password.js';
import type { Aws } from '../../../src/aws/clients.js';
import type { DbInstance, Manifest } from '../../../src/schema/index.js';
import { asKeyValue, ownershipTags } from '../../../src/engine/tags.js';
import type { Network } from '../../../src/demo/network.js';

export interface ShopDbOptions {
  /** Replicas `shop-db-replica-1..n`; desired-state/ holds min 1. */
  replicas?: number;
  /** false: tagged by someone else, not as Ballast's (an estate to adopt). */
  owned?: boolean;
}

/**
 * desired-state/database/shop-db.yaml, made by hand through the SDK as an operator would (a concrete 16.x
 * version where the manifest says "16"), with read replicas, tagged as controller `ballast`'s own.
 */
export async function buildShopDb(aws: Aws, net: Network, manifests: Manifest[], options: ShopDbOptions = {}): Promise<void> {
  const { replicas = 1, owned = true } = options;
  const m = manifests.find((x): x is DbInstance => x.kind === 'DbInstance' && x.metadata.name === 'shop-db');
  if (!m) throw new Error('desired-state/ has no DbInstance shop-db');
  const Tags = owned ? asKeyValue(ownershipTags('ballast', m)) : [{ Key: 'team', Value: 'platform' }];
  // The password is set from the team's secret, and its version recorded, as Ballast does.
  const secret = await aws.secretsmanager.send(new GetSecretValueCommand({ SecretId: net.masterSecretArn }));
  const password = (JSON.parse(secret.SecretString!) as { password: string }).password;
  await aws.rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'shop-db',
      Engine: 'postgres',
      EngineVersion: '16.3',
      DBInstanceClass: 'db.r6g.large',
      AllocatedStorage: 100,
      MaxAllocatedStorage: 500,
      StorageType: 'gp3',
      StorageEncrypted: true,
      MultiAZ: true,
      MasterUsername: 'shop_admin',
      MasterUserPassword: password,
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '02:00-02:30',
      PreferredMaintenanceWindow: 'sun:03:00-sun:03:30',
      DeletionProtection: true,
      EnablePerformanceInsights: true,
      PerformanceInsightsRetentionPeriod: 7,
      DBSubnetGroupName: 'shop-db',
      VpcSecurityGroupIds: [net.securityGroups['shop-db']!],
      PubliclyAccessible: false,
      CopyTagsToSnapshot: true,
      Tags: [...Tags, { Key: PASSWORD_VERSION_TAG, Value: secret.VersionId! }],
    }),
  );
  for (let n = 1; n <= replicas; n++) await createReplica(aws, `shop-db-replica-${n}`, Tags);
}

/**
 * A read replica of shop-db. Tags are always stated: the emulator copies the source's tags (and deletion
 * protection) onto a replica created without them.
 */
export async function createReplica(aws: Aws, id: string, Tags: { Key: string; Value: string }[]): Promise<void> {
  await aws.rds.send(
    new CreateDBInstanceReadReplicaCommand({
      DBInstanceIdentifier: id,
      SourceDBInstanceIdentifier: 'shop-db',
      DBInstanceClass: 'db.r6g.large',
      MultiAZ: false,
      PubliclyAccessible: false,
      DeletionProtection: false,
      Tags,
    }),
  );
}
