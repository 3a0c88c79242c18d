import { CONTROLLER_DEFAULTS } from '../controller/config.js';

/**
 * Prune deletes what carries this controller's id. The default id is the one every team gets without asking, so in a
 * shared account it also marks other teams' resources: prune with it deletes nothing unless the id was stated (flag,
 * environment or config file), or the resource is proven this controller's (provenOwned). Where every owned resource
 * is in the manifests there is nothing to refuse.
 */
export function pruneRefusal(settings: { prune: boolean; controllerId: string; controllerIdStated?: boolean }): string | undefined {
  if (!settings.prune || settings.controllerIdStated || settings.controllerId !== CONTROLLER_DEFAULTS.controllerId) return undefined;
  return (
    `prune with the default controller id "${CONTROLLER_DEFAULTS.controllerId}" could delete another team's resources in a shared account; ` +
    'state the id with --controller-id (or BALLAST_CONTROLLER_ID, or controllerId in the config file) to prune; ' +
    'a controller with --lease-table also prunes what it kept itself under one of its manifests'
  );
}

/**
 * Proof that a prune candidate under the default id is this controller's: every AWS resource of it (a DB and its
 * replicas alike) is in the ARNs this controller recorded (src/seen): what its reconcilers observed for a manifest
 * it had in place, carrying its ownership tag and that manifest's tag. The tags alone prove nothing (another team's
 * controller writes the same ones). No record (the CLI, no --lease-table): no proof.
 */
export function provenOwned(members: { arn: string }[], proven: ReadonlySet<string> | undefined): boolean {
  return proven !== undefined && members.length > 0 && members.every((m) => proven.has(m.arn));
}
