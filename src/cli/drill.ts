import { executeDrill, renderDrill } from '../drill/index.js';
import type { DbInstance, RestoreDrill } from '../schema/index.js';
import { revisionOf } from './revision.js';
import { writeJson, type Io } from './io.js';
import { validRevision } from './plan.js';
import type { ClientCommandOptions } from './settings.js';
import { openSession } from '../observe/context.js';
import { TargetSessions } from '../targets/sessions.js';
import { targetManifestOf } from '../targets/placement.js';

export interface DrillCommandOptions extends ClientCommandOptions {
  /** Seconds between reads while the copy is restored. */
  pollInterval: number;
}

/** `ballast drill run <name>`: an on-demand drill, reported as the controller reports it. Exit 0 only when it passed. */
export async function drillRunCommand(name: string, path: string, options: DrillCommandOptions, io: Io): Promise<number> {
  const revision = await validRevision(path, options, io);
  if (!revision) return 1;
  const drills = revision.manifests.filter((m): m is RestoreDrill => m.kind === 'RestoreDrill');
  const drill = drills.find((d) => d.metadata.name === name);
  if (!drill) {
    const known = drills.map((d) => d.metadata.name).join(', ') || 'none';
    io.stderr(`no RestoreDrill "${name}" in ${path} (there: ${known})\n`);
    return 1;
  }
  // Validation guarantees the DbInstance is in the revision.
  const source = revision.manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === drill.spec.dbInstance)!;
  // A drill runs in its DB's target (validation keeps them in one).
  const session = new TargetSessions(openSession(options), options).for(targetManifestOf(revision.manifests, drill));
  const result = await executeDrill(drill, source, {
    aws: session.aws,
    controllerId: options.controllerId,
    runner: 'cli',
    pollIntervalMs: options.pollInterval * 1000,
    log: (message) => io.stderr(`${message}\n`),
  });
  if (options.output === 'json') writeJson(io, result, await revisionOf(path));
  else io.stdout(renderDrill(result));
  return result.outcome === 'passed' ? 0 : 1;
}
