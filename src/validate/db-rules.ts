import { validateDetailed } from 'node-cron';
import type { DbInstance, Kind, Manifest, RestoreDrill } from '../schema/index.js';
import type { Path } from './positions.js';
import { overlaps, parseWindow } from './windows.js';

/** Reports a problem at path in the manifest being checked; the message is prefixed with the path. */
export type Report = (path: Path, message: string, key?: boolean) => void;
/** The manifest of that kind and name, reporting a reference to nothing at path. */
export type Ref = <K extends Kind>(kind: K, name: string, path: Path) => Extract<Manifest, { kind: K }> | undefined;

/** The rules of a DbInstance and its RestoreDrills that a JSON Schema cannot state: windows, identifiers, replicas. */
export function checkDb(m: DbInstance, report: Report): void {
  const s = m.spec;
  const backup = windowOf(s.backup.window, ['spec', 'backup', 'window'], report);
  const maintenance = windowOf(s.maintenanceWindow, ['spec', 'maintenanceWindow'], report);
  if (backup && maintenance && overlaps(backup, maintenance)) {
    report(['spec', 'maintenanceWindow'], `"${s.maintenanceWindow}" overlaps the backup window "${s.backup.window}"`);
  }
  if (s.storage.maxAllocatedGiB !== undefined && s.storage.maxAllocatedGiB <= s.storage.allocatedGiB) {
    report(['spec', 'storage', 'maxAllocatedGiB'], `must be greater than allocatedGiB (${s.storage.allocatedGiB}), got ${s.storage.maxAllocatedGiB}`);
  }
  if (m.metadata.labels?.environment === 'production' && !s.multiAZ) {
    report(['spec', 'multiAZ'], 'must be true for a DbInstance labelled environment: production');
  }
  checkIdentifier(m, report);
  const r = s.readReplicas;
  if (r) {
    const scaled = r.min !== undefined || r.max !== undefined || r.target !== undefined;
    if (r.count !== undefined && scaled) report(['spec', 'readReplicas'], 'state either count, or min/max/target, not both');
    else if (r.count === undefined && (r.min === undefined || r.max === undefined || r.target === undefined)) {
      report(['spec', 'readReplicas'], 'replicas that follow traffic need min, max and target (or state a fixed count)');
    } else if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
      report(['spec', 'readReplicas', 'min'], `${r.min} is greater than max (${r.max})`);
    }
    // RDS user guide, "Limitations for Secrets Manager integration": the schema's engines are none of them SQL Server.
    if ((r.count ?? r.max ?? 0) > 0 && 'managedByRds' in s.masterPassword) {
      report(
        ['spec', 'masterPassword', 'managedByRds'],
        `RDS cannot create read replicas of a ${s.engine} instance whose master password it manages in Secrets Manager (only SQL Server allows it): ` +
          'keep the password in a secret of your own (masterPassword: {secretArn: …}), or drop readReplicas',
      );
    }
  }
}

/** RDS identifiers have at most 63 characters; read replicas add `-replica-<n>`, at most `-replica-15`. */
const MAX_REPLICATED_IDENTIFIER = 63 - '-replica-15'.length;

/** The schema checks a stated identifier's characters; metadata.name, its default, allows what RDS refuses. */
function checkIdentifier(m: DbInstance, report: Report): void {
  const identifier = m.spec.identifier ?? m.metadata.name;
  const at: Path = m.spec.identifier ? ['spec', 'identifier'] : ['metadata', 'name'];
  if (!m.spec.identifier && identifier.includes('--')) report(at, 'is also the DB identifier, and RDS refuses two hyphens in a row: rename it or state spec.identifier');
  const r = m.spec.readReplicas;
  if ((r?.count ?? r?.max ?? 0) > 0 && identifier.length > MAX_REPLICATED_IDENTIFIER) {
    report(at, `DB identifier "${identifier}" is ${identifier.length} characters; read replicas (<identifier>-replica-<n>, n up to 15) need it at most ${MAX_REPLICATED_IDENTIFIER}`);
  }
}

/** The window, when it is long enough; its format was already checked by the schema pattern. */
function windowOf(text: string, path: Path, report: Report) {
  const w = parseWindow(text);
  if (w && w.minutes < 30) {
    report(path, `"${text}" is ${w.minutes} minutes long; RDS needs at least 30`);
    return undefined;
  }
  return w;
}

/** RDS identifiers have at most 63 characters; a drill instance adds `-drill-<yyyymmddhhmm>` (19) to the source's. */
const MAX_DRILLED_IDENTIFIER = 63 - 19;

export function checkDrill(m: RestoreDrill, report: Report, ref: Ref): void {
  const s = m.spec;
  const db = ref('DbInstance', s.dbInstance, ['spec', 'dbInstance']);
  const identifier = db && (db.spec.identifier ?? db.metadata.name);
  if (identifier && identifier.length > MAX_DRILLED_IDENTIFIER) {
    report(['spec', 'dbInstance'], `DB identifier "${identifier}" is ${identifier.length} characters; drill instances (<identifier>-drill-<yyyymmddhhmm>) need it at most ${MAX_DRILLED_IDENTIFIER}`);
  }
  const cron = validateDetailed(s.schedule);
  if (!cron.valid) {
    report(['spec', 'schedule'], `not a valid cron expression: ${cron.errors.map((e) => `${e.field} "${e.value ?? ''}" is not valid`).join('; ')}`);
  }
  if (s.timezone !== undefined && !isTimeZone(s.timezone)) report(['spec', 'timezone'], `"${s.timezone}" is not an IANA time zone such as UTC or Europe/Berlin`);
  const names = new Set<string>();
  s.checks?.custom?.forEach((c, i) => {
    if (names.has(c.name)) report(['spec', 'checks', 'custom', i, 'name'], `another custom check is already called "${c.name}"`);
    names.add(c.name);
    if (Object.keys(c.expect).length === 0) report(['spec', 'checks', 'custom', i, 'expect'], 'states no expectation: nothing would be checked');
  });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
