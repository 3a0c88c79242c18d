import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { createAws, type Aws } from '../../src/aws/clients.js';
import { useMoto } from '../support/moto.js';
import { runCli } from '../support/cli.js';

/**
 * deploy/README.md, step by step, against the emulator: the account pieces, the task definition registered from
 * deploy/task-definition.json as filled in by hand, the service created by hand; then Ballast plans its own manifest.
 */

const moto = useMoto();
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const cli = (argv: string[]) => runCli(argv);

interface PlanJson {
  changes: boolean;
  resources: { key: string; status: string; changes: { path: string }[] }[];
  actions: { key: string; summary: string }[];
}

/** The README's placeholders as a user fills them in; the secret ARNs as Secrets Manager printed them (random suffix). */
async function filledTaskDefinition(): Promise<RegisterTaskDefinitionCommandInput> {
  const text = (await readFile('deploy/task-definition.json', 'utf8'))
    .replaceAll('<account>', ACCOUNT)
    .replaceAll('<region>', REGION)
    .replaceAll('<tag>', '0.1.0')
    .replaceAll('<org>/<repo>', 'example/platform-estate')
    .replace('secret:ballast/slack-webhook-url', 'secret:ballast/slack-webhook-url-a1B2c3')
    .replace('secret:ballast/webhook-secret', 'secret:ballast/webhook-secret-Zz9Yy8');
  return JSON.parse(text) as RegisterTaskDefinitionCommandInput;
}

/** Steps 1 to 7: cluster, subnets, the controller's security group, the alerts topic, the task definition and the service. */
async function bootstrap(aws: Aws, edit: (td: RegisterTaskDefinitionCommandInput) => void = () => {}): Promise<void> {
  const name = (type: 'vpc' | 'subnet' | 'security-group', value: string) => [{ ResourceType: type, Tags: [{ Key: 'Name', Value: value }] }];
  const vpc = await aws.ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16', TagSpecifications: name('vpc', 'platform') }));
  const subnets: string[] = [];
  for (const [i, az] of ['a', 'b'].entries()) {
    const s = await aws.ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: `10.30.${i}.0/24`, AvailabilityZone: `${REGION}${az}`, TagSpecifications: name('subnet', `platform-private-${az}`) }),
    );
    subnets.push(s.Subnet!.SubnetId!);
  }
  const sg = await aws.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'ballast-controller', Description: 'ballast controller', VpcId: vpc.Vpc!.VpcId!, TagSpecifications: name('security-group', 'ballast-controller') }),
  );
  await aws.sns.send(new CreateTopicCommand({ Name: 'platform-alerts' }));
  await aws.ecs.send(new CreateClusterCommand({ clusterName: 'platform', tags: [{ key: 'team', value: 'platform' }] }));
  const td = await filledTaskDefinition();
  edit(td);
  await aws.ecs.send(new RegisterTaskDefinitionCommand(td));
  await aws.ecs.send(
    new CreateServiceCommand({
      cluster: 'platform',
      serviceName: 'ballast-controller',
      taskDefinition: 'ballast-controller',
      desiredCount: 1,
      launchType: 'FARGATE',
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100, deploymentCircuitBreaker: { enable: true, rollback: true } },
      networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: [sg.GroupId!], assignPublicIp: 'DISABLED' } },
      propagateTags: 'SERVICE',
    }),
  );
}

describe('Ballast manages its own service (deploy/)', () => {
  let aws: Aws;
  beforeEach(() => {
    // The commands reach AWS through the standard SDK settings, as in the account the README deploys to.
    Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: REGION });
    aws = createAws({ endpoint: moto.endpoint, region: REGION, maxAttempts: 1 });
  });

  it('plans the hand-made service from deploy/task-definition.json as its manifest with no field change, adopts it, and then has nothing to do', async () => {
    await bootstrap(aws);
    const plan = await cli(['plan', 'deploy/ballast-controller.yaml', '--output', 'json', '--controller-id', 'ballast-production']);
    expect(plan.code, plan.stdout).toBe(0);
    const resources = plan.json<PlanJson>().resources;
    expect(resources.find((r) => r.key === 'EcsService/ballast-controller')).toMatchObject({ status: 'adopt', changes: [] });
    expect(resources.find((r) => r.key === 'Alarm/ballast-controller-down')).toMatchObject({ status: 'create' });
    const apply = await cli(['apply', 'deploy/ballast-controller.yaml', '--yes', '--controller-id', 'ballast-production', '--poll-interval', '0.05']);
    expect(apply.code, apply.stderr).toBe(0);
    const again = await cli(['plan', 'deploy/ballast-controller.yaml', '--detailed-exitcode', '--controller-id', 'ballast-production']);
    expect(again.stdout).toContain('0 to create, 0 to update');
    expect(again.code).toBe(0);
  });

  it('lists what a new revision would drop: settings the manifest leaves out and settings no manifest field expresses', async () => {
    await bootstrap(aws, (td) => {
      td.runtimePlatform = { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' };
      td.containerDefinitions![0]!.command = ['run'];
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'ballast-self-'));
    try {
      const manifest = (await readFile('deploy/ballast-controller.yaml', 'utf8'))
        .replace('ballast:0.1.0', 'ballast:0.2.0')
        .replace(/\n {6}stopTimeout: 30/, '');
      await writeFile(path.join(dir, 'controller.yaml'), manifest);
      const plan = await cli(['plan', dir, '--output', 'json', '--controller-id', 'ballast-production']);
      expect(plan.code, plan.stderr).toBe(0);
      const service = plan.json<PlanJson>();
      expect(service.resources.find((r) => r.key === 'EcsService/ballast-controller')!.changes.map((c) => c.path)).toEqual(['spec.containers[ballast].image']);
      const summary = service.actions.filter((a) => a.key === 'EcsService/ballast-controller').map((a) => a.summary).join('; ');
      expect(summary).toContain('drops what the manifest leaves out: spec.containers[ballast].stopTimeout, runtimePlatform, containers[ballast].command');
      const text = await cli(['plan', dir, '--controller-id', 'ballast-production']);
      expect(text.stdout).toContain('spec.containers[ballast].stopTimeout');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
