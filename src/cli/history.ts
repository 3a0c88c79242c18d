import { HistoryStore, type HistoryEntry } from '../history/store.js';
import { writeJson, type Io, type OutputFormat } from './io.js';

export interface HistoryCommandOptions {
  historyTable?: string;
  controllerId: string;
  since: number;
  output: OutputFormat;
}

const line = (e: HistoryEntry) =>
  `${e.at}  ${e.resource}  ${e.result}  ${e.calls.join(', ')}  ${e.revision.slice(0, 7)} ${e.author}: ${e.message}  (${e.trigger}` +
  `${e.driftCorrected.length > 0 ? `; corrected drift: ${e.driftCorrected.join(', ')}` : ''})${e.error ? `  ${e.error}` : ''}`;

export async function historyCommand(resource: string | undefined, options: HistoryCommandOptions, io: Io): Promise<number> {
  if (!options.historyTable) {
    io.stderr('no history table: pass --history-table or set BALLAST_HISTORY_TABLE (the table `ballast run` records into)\n');
    return 1;
  }
  const store = new HistoryStore({ table: options.historyTable, controllerId: options.controllerId, retentionDays: 1 });
  const entries = await store.query(new Date(Date.now() - options.since), resource);
  if (options.output === 'json') writeJson(io, { entries });
  else io.stdout(entries.length > 0 ? `${entries.map(line).join('\n')}\n` : 'No writes recorded in that time.\n');
  return 0;
}
