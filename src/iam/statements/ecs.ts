import type { EcsService } from '../../schema/index.js';
import { allowsDestructive, wantsAdoption } from '../../engine/tags.js';
import { allow } from '../document.js';
import type { Scope } from '../scope.js';
import { add, type Grants } from './grants.js';

const roleArn = (s: Scope, role: string) => (role.startsWith('arn:') ? role : s.globalArn('iam', `role/${role}`));

export function ecsStatements(services: EcsService[], s: Scope, grants: Grants): void {
  const names = services.map((m) => m.metadata.name);
  // Any cluster: moving a service creates it in the new cluster and deletes it (owned) from the old one.
  const byName = s.named(names, (n) => s.arn('ecs', `service/*/${n}`));
  // Creates only in the cluster each manifest states (names scope).
  const creates =
    s.kind === 'tags'
      ? byName
      : [...new Set(services.map((m) => m.spec.cluster))].flatMap((cluster) =>
          s.names(services.filter((m) => m.spec.cluster === cluster).map((m) => m.metadata.name)).map((n) => s.arn('ecs', `service/${cluster}/${n}`)),
        );
  const taskDefinitions = s.named(names, (n) => s.arn('ecs', `task-definition/${n}:*`));
  grants.unscoped.add('ecs:DescribeTaskDefinition');
  add(
    grants,
    allow('EcsReadServices', ['ecs:DescribeServices'], byName),
    allow('EcsCreateServices', ['ecs:CreateService'], creates, s.tagging),
    allow('EcsRegisterTaskDefinitions', ['ecs:RegisterTaskDefinition'], taskDefinitions, s.tagging),
    // ECS authorizes the tags of a create as TagResource, naming the create: that alone does not let it tag what exists.
    allow('EcsTagOnCreate', ['ecs:TagResource'], [...byName, ...taskDefinitions], {
      StringEquals: { ...s.tagging.StringEquals, 'ecs:CreateAction': ['CreateService', 'RegisterTaskDefinition'] },
    }),
    allow('EcsChangeOwnedServices', ['ecs:UpdateService', 'ecs:TagResource', 'ecs:UntagResource'], byName, s.owned),
  );
  const adopting = services.filter(wantsAdoption).map((m) => m.metadata.name);
  // Adoption tags an existing untagged service: only the ones whose manifest asks for it.
  if (adopting.length > 0) add(grants, allow('EcsAdoptServices', ['ecs:TagResource'], s.names(adopting).map((n) => s.arn('ecs', `service/*/${n}`)), s.claiming));
  // Moving a service to another cluster deletes the old one: only with the destructive opt-in on it.
  const movable = services.filter(allowsDestructive).map((m) => m.metadata.name);
  if (movable.length > 0) add(grants, allow('EcsDeleteMovedServices', ['ecs:DeleteService'], s.named(movable, (n) => s.arn('ecs', `service/*/${n}`)), s.destructive));
  const roles = [...new Set(services.flatMap((m) => [m.spec.executionRole, m.spec.taskRole]).filter((r): r is string => r !== undefined))];
  // Roles by name in both scopes: passing any role would let a manifest hand a task more rights than the controller has.
  if (roles.length > 0) {
    add(
      grants,
      allow('PassTaskRolesToEcsTasks', ['iam:PassRole'], roles.sort().map((r) => roleArn(s, r)), {
        StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      }),
    );
  }
}
