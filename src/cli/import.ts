import path from 'node:path';
import { createAws } from '../aws/clients.js';
import { importEstate } from '../import/index.js';
import { UNKNOWN_SECRET } from '../import/db.js';
import { writeJson, type Io } from './io.js';
import type { ClientCommandOptions } from './settings.js';

export type ImportCommandOptions = ClientCommandOptions & {
  cluster?: string;
  service: string[];
  db: string[];
  alarmPrefix: string[];
  out: string;
  schemas: string;
  masterPasswordSecret?: string;
  masterPasswordKey?: string;
};

export async function importCommand(options: ImportCommandOptions, io: Io): Promise<number> {
  if (!options.cluster && options.db.length === 0 && options.alarmPrefix.length === 0) {
    io.stderr('nothing to import: give --cluster, --db or --alarm-prefix\n');
    return 1;
  }
  if (options.service.length > 0 && !options.cluster) {
    io.stderr('--service needs --cluster\n');
    return 1;
  }
  const aws = createAws({ retryMode: options.retryMode, maxAttempts: options.maxAttempts, awsTimeout: options.awsTimeout });
  const selection = {
    cluster: options.cluster,
    services: options.service,
    dbs: options.db,
    alarmPrefixes: options.alarmPrefix,
    controllerId: options.controllerId,
    ...(options.masterPasswordSecret ? { masterPasswordSecret: { secretArn: options.masterPasswordSecret, ...(options.masterPasswordKey ? { key: options.masterPasswordKey } : {}) } } : {}),
  };
  const written = await importEstate(aws, selection, options.out, path.resolve(options.schemas, 'all.json'));
  if (options.output === 'json') writeJson(io, { written });
  else io.stdout(`${written.map((f) => `wrote ${f}`).join('\n')}${written.length > 0 ? '\n' : ''}${written.length} file(s); check them, then \`ballast plan ${options.out}\`\n`);
  if (written.length === 0) io.stderr('found nothing to import\n');
  if (options.db.length > 0 && !options.masterPasswordSecret) {
    io.stderr(`a DB whose password RDS does not manage gets spec.masterPassword.secretArn ${UNKNOWN_SECRET}: replace it (or pass --master-password-secret)\n`);
  }
  return written.length > 0 ? 0 : 1;
}
