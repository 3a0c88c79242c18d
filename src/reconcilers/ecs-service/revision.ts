import type { EcsService } from '../../schema/index.js';
import type { LiveContainer, LiveEcsService } from './live.js';

type Container = EcsService['spec']['containers'][number];

/** Container settings a manifest may leave out, and whether the live revision has one (a value ECS would not assume). */
const CONTAINER_FIELDS: [keyof Container & keyof LiveContainer, (l: LiveContainer) => boolean][] = [
  // ECS reports a container without a reservation as cpu 0.
  ['cpu', (l) => Boolean(l.cpu)],
  ['memory', (l) => l.memory !== undefined],
  ['ports', (l) => l.ports.length > 0],
  ['environment', (l) => Object.keys(l.environment).length > 0],
  ['secrets', (l) => Object.keys(l.secrets).length > 0],
  ['logging', (l) => l.logging !== undefined],
  ['healthCheck', (l) => l.healthCheck !== undefined],
  ['readonlyRootFilesystem', (l) => l.readonlyRootFilesystem],
  ['mountPoints', (l) => l.mountPoints.length > 0],
  ['initProcessEnabled', (l) => l.initProcessEnabled],
  ['stopTimeout', (l) => l.stopTimeout !== undefined],
  ['user', (l) => l.user !== undefined],
  ['ulimits', (l) => l.ulimits.length > 0],
  ['dependsOn', (l) => l.dependsOn.length > 0],
];

/**
 * What a new task definition revision built from the manifest would lose from the live one: settings the manifest
 * leaves out (unmanaged, so never drift, but a new revision is built from the manifest alone), whole containers it does
 * not list, and settings no manifest field can express. Shown in the plan so nobody loses hardening by surprise.
 */
export function droppedByNewRevision(desired: EcsService, live: LiveEcsService): string[] {
  const spec = desired.spec;
  const out: string[] = [];
  if (spec.executionRole === undefined && live.executionRole) out.push('spec.executionRole');
  if (spec.taskRole === undefined && live.taskRole) out.push('spec.taskRole');
  if (spec.volumes === undefined && live.volumes.length > 0) out.push('spec.volumes');
  for (const have of live.containers) {
    const want = spec.containers.find((c) => c.name === have.name);
    if (!want) {
      out.push(`spec.containers[${have.name}]`);
      continue;
    }
    for (const [field, isSet] of CONTAINER_FIELDS) if (want[field] === undefined && isSet(have)) out.push(`spec.containers[${have.name}].${field}`);
  }
  // Unexpressed settings of a container the manifest drops are already covered by that container.
  const listed = (p: string) => {
    const name = /^containers\[([^\]]+)\]/.exec(p)?.[1];
    return name === undefined || spec.containers.some((c) => c.name === name);
  };
  return [...out, ...live.unexpressed.filter(listed)];
}
