import { ECSClient } from '@aws-sdk/client-ecs';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { RDSClient } from '@aws-sdk/client-rds';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { STSClient } from '@aws-sdk/client-sts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CallCounter } from './counter.js';
import { gatedAgents, type SendGate } from './send-gate.js';
import { timeoutHandler } from './timeout.js';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsOptions {
  /** Defaults to the standard settings (AWS_REGION, profile). */
  region?: string;
  /** standard (default) or adaptive (adds client-side rate limiting). */
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
  /**
   * Seconds an attempt may wait for a connection, for its answer's headers, and on a stalled body, before it fails
   * (retried like throttling; src/aws/timeout.ts); 0 waits for ever. A connection AWS never answers on would otherwise hold a
   * reconcile, and every reconcile after it, for good.
   */
  awsTimeout?: number;
  /**
   * Overrides every service's endpoint. Without it the SDK's own settings apply, including
   * AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
   */
  endpoint?: string;
  counter?: CallCounter;
  /** Defaults to the standard chain (environment, profile, instance role); a target's come from AssumeRole. */
  credentials?: AwsCredentialIdentityProvider;
  /** When set, nothing is sent while it answers false (a replica that does not hold the leader lease). */
  sendGate?: SendGate;
}

/** One SDK client per service, made in one place, each counted. */
export interface Aws {
  ecs: ECSClient;
  autoscaling: ApplicationAutoScalingClient;
  rds: RDSClient;
  cloudwatch: CloudWatchClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  sns: SNSClient;
  tagging: ResourceGroupsTaggingAPIClient;
  sts: STSClient;
  secretsmanager: SecretsManagerClient;
  counter: CallCounter;
  region: () => Promise<string>;
}

export type ServiceName = Exclude<keyof Aws, 'counter' | 'region'>;

export function createAws(options: AwsOptions = {}): Aws {
  const counter = options.counter ?? new CallCounter();
  const config = {
    region: options.region,
    retryMode: options.retryMode ?? 'standard',
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: { ...timeoutHandler(options.awsTimeout), ...(options.sendGate ? gatedAgents(options.sendGate) : {}) },
  };
  const aws = {
    ecs: new ECSClient(config),
    autoscaling: new ApplicationAutoScalingClient(config),
    rds: new RDSClient(config),
    cloudwatch: new CloudWatchClient(config),
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    sns: new SNSClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    sts: new STSClient(config),
    secretsmanager: new SecretsManagerClient(config),
  };
  aws.ecs.middlewareStack.use(counter.plugin('ecs'));
  aws.autoscaling.middlewareStack.use(counter.plugin('autoscaling'));
  aws.rds.middlewareStack.use(counter.plugin('rds'));
  aws.cloudwatch.middlewareStack.use(counter.plugin('cloudwatch'));
  aws.ec2.middlewareStack.use(counter.plugin('ec2'));
  aws.elbv2.middlewareStack.use(counter.plugin('elbv2'));
  aws.sns.middlewareStack.use(counter.plugin('sns'));
  aws.tagging.middlewareStack.use(counter.plugin('tagging'));
  aws.sts.middlewareStack.use(counter.plugin('sts'));
  aws.secretsmanager.middlewareStack.use(counter.plugin('secretsmanager'));
  return {
    ...aws,
    counter,
    region: () => aws.ecs.config.region(),
  };
}
