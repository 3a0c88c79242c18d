import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import * as autoscaling from '@aws-sdk/client-application-auto-scaling';
import * as rds from '@aws-sdk/client-rds';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as ec2 from '@aws-sdk/client-ec2';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as sns from '@aws-sdk/client-sns';
import * as tagging from '@aws-sdk/client-resource-groups-tagging-api';
import * as sts from '@aws-sdk/client-sts';
import * as secretsmanager from '@aws-sdk/client-secrets-manager';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as sqs from '@aws-sdk/client-sqs';
import type { ServiceName } from '../../src/aws/clients.js';

/** The SDK clients the controller has: those of Aws, the lease's DynamoDB client and the events queue's SQS client. */
type Client = ServiceName | 'dynamodb' | 'sqs';

/** The IAM prefix of each SDK client Ballast has, by its key in Aws and by its package. */
export const PREFIX: Record<Client, string> = {
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  ecs: 'ecs',
  autoscaling: 'application-autoscaling',
  rds: 'rds',
  cloudwatch: 'cloudwatch',
  ec2: 'ec2',
  elbv2: 'elasticloadbalancing',
  sns: 'sns',
  tagging: 'tag',
  sts: 'sts',
  secretsmanager: 'secretsmanager',
};
const MODULES: Record<Client, object> = { ecs, autoscaling, rds, cloudwatch, ec2, elbv2, sns, tagging, sts, secretsmanager, dynamodb, sqs };
const PACKAGE: Record<string, Client> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-application-auto-scaling': 'autoscaling',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elbv2',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-resource-groups-tagging-api': 'tagging',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
};

/** Batch operations IAM authorises as their single form. */
const AUTHORISED_AS: Record<string, string> = { DeleteMessageBatch: 'DeleteMessage' };

/**
 * Every AWS operation a source file can send, as IAM actions: `new <Op>Command(` resolved through the file's SDK imports,
 * and in files that build planned calls (`service: '<key>'`), each quoted name that is an operation of that client
 * (`operation: 'DeleteAlarms'`, `ecs('UpdateService', …)`, `rds('ModifyDBInstance', …)`). Unresolvable commands are returned apart.
 */
function operationsIn(text: string): { actions: string[]; unresolved: string[] } {
  // Comments on lines of their own mention calls without making them.
  const source = text.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  const imported = new Map<string, Client>();
  for (const [, names, pkg] of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'/g)) {
    for (const name of names!.split(',')) imported.set(name.trim().replace(/^type\s+/, ''), PACKAGE[pkg!]!);
  }
  const actions: string[] = [];
  const unresolved: string[] = [];
  for (const [, op] of source.matchAll(/new (\w+)Command\(/g)) {
    const service = imported.get(`${op}Command`);
    if (service) actions.push(`${PREFIX[service]}:${AUTHORISED_AS[op!] ?? op}`);
    else unresolved.push(op!);
  }
  for (const [, key] of source.matchAll(/service: '(\w+)'/g)) {
    const service = key as Client;
    if (!(service in MODULES)) unresolved.push(`service ${key}`);
    else for (const [, op] of source.matchAll(/'([A-Z][A-Za-z0-9]+)'/g)) if (`${op}Command` in MODULES[service]) actions.push(`${PREFIX[service]}:${op}`);
  }
  return { actions, unresolved };
}

export async function codeOperations(): Promise<{ actions: Set<string>; unresolved: string[] }> {
  // src/demo bootstraps the emulator's account pieces (VPC, NLB, topic), and `ballast events setup` is run by a
  // person creating the queue and rules: the controller never makes those calls.
  const files = (await readdir('src', { recursive: true })).filter((f) => f.endsWith('.ts') && !f.startsWith('demo/') && f !== path.join('events', 'setup.ts'));
  const found = await Promise.all(files.map(async (f) => operationsIn(await readFile(path.join('src', f), 'utf8'))));
  return { actions: new Set(found.flatMap((f) => f.actions)), unresolved: found.flatMap((f) => f.unresolved) };
}
