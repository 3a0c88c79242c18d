import { CONTROLLER_DEFAULTS } from '../controller/config.js';

/**
 * Prune deletes what carries this controller's id. The default id is the one every team gets without asking, so in a
 * shared account it also marks other teams' resources: prune with it deletes nothing unless the id was stated (flag,
 * environment or config file). Where every owned resource is in the manifests there is nothing to refuse.
 */
export function pruneRefusal(settings: { prune: boolean; controllerId: string; controllerIdStated?: boolean }): string | undefined {
  if (!settings.prune || settings.controllerIdStated || settings.controllerId !== CONTROLLER_DEFAULTS.controllerId) return undefined;
  return (
    `prune with the default controller id "${CONTROLLER_DEFAULTS.controllerId}" could delete another team's resources in a shared account; ` +
    'state the id with --controller-id (or BALLAST_CONTROLLER_ID, or controllerId in the config file) to prune'
  );
}
