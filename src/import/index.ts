import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Aws } from '../aws/clients.js';
import { importAlarms } from './alarms.js';
import { importDbs } from './db.js';
import { importServices } from './ecs.js';
import { toYaml, type Draft } from './manifest.js';
import { Names } from './names.js';

export interface ImportSelection {
  /** An ECS cluster whose services to import (all active ones, or `services`). */
  cluster?: string;
  services: string[];
  /** RDS identifiers. */
  dbs: string[];
  /** Alarm name prefixes; each prefix becomes one file. */
  alarmPrefixes: string[];
  controllerId: string;
  /** The secret (ARN, and JSON key) holding the master password of imported DBs whose password RDS does not manage. */
  masterPasswordSecret?: { secretArn: string; key?: string };
}

/**
 * Reads live resources and writes manifests: `services/<name>.yaml` (a service and its autoscaling),
 * `databases/<id>.yaml`, `alarms/<prefix>.yaml`. Existing files are never overwritten. Returns the files written.
 */
export async function importEstate(aws: Aws, selection: ImportSelection, out: string, schemaPath: string): Promise<string[]> {
  const names = new Names(aws);
  const files = new Map<string, Draft[]>();
  if (selection.cluster) {
    for (const [name, drafts] of await importServices(aws, selection.cluster, selection.services, names)) files.set(path.join('services', `${name}.yaml`), drafts);
  }
  for (const [id, draft] of await importDbs(aws, selection.dbs, selection, names)) files.set(path.join('databases', `${id}.yaml`), [draft]);
  for (const prefix of selection.alarmPrefixes) {
    const drafts = await importAlarms(aws, [prefix], names);
    if (drafts.length > 0) files.set(path.join('alarms', `${prefix.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+|[._-]+$/g, '') || 'alarms'}.yaml`), drafts);
  }
  const written: string[] = [];
  for (const [relative, drafts] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const file = path.join(out, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, toYaml(drafts, path.relative(path.dirname(file), schemaPath).split(path.sep).join('/')), { flag: 'wx' });
    written.push(file);
  }
  return written;
}
