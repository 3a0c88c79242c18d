import * as ecs from '@aws-sdk/client-ecs';
import * as autoscaling from '@aws-sdk/client-application-auto-scaling';
import * as rds from '@aws-sdk/client-rds';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as sns from '@aws-sdk/client-sns';
import * as tagging from '@aws-sdk/client-resource-groups-tagging-api';
import * as sts from '@aws-sdk/client-sts';
import * as secretsmanager from '@aws-sdk/client-secrets-manager';
import type { Aws, ServiceName } from '../aws/clients.js';
import type { AwsCall } from '../engine/types.js';
import { resolveSecretRefs, scrubbed } from '../secrets/resolve.js';

/** Every service a plan writes to (none writes to EC2, whose client module alone is 2 MB). */
const MODULES: Partial<Record<ServiceName, Record<string, unknown>>> = { ecs, autoscaling, rds, cloudwatch, elbv2, sns, tagging, sts, secretsmanager } satisfies Record<Exclude<ServiceName, 'ec2'>, Record<string, unknown>>;

type AnyClient = { send(command: unknown): Promise<unknown> };
type CommandClass = new (input: Record<string, unknown>) => unknown;

/**
 * Sends one planned call through the service's counted client: `UpdateService` becomes `new UpdateServiceCommand(input)`.
 * Secret references in the input are read just now, and live only in this request.
 */
export async function sendCall(aws: Aws, call: AwsCall): Promise<unknown> {
  const Command = MODULES[call.service]?.[`${call.operation}Command`] as CommandClass | undefined;
  if (!Command) throw new Error(`unknown operation ${call.service}:${call.operation}`);
  const { input, values } = await resolveSecretRefs(aws, call.input);
  try {
    return await (aws[call.service] as AnyClient).send(new Command(input));
  } catch (err) {
    throw scrubbed(err, values);
  }
}
