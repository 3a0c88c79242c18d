import { writeJson, type Io, type OutputFormat } from './io.js';

export interface OperatorOptions {
  controller: string;
  output: OutputFormat;
  wait?: boolean;
  /** suspend: milliseconds (from --for 1h). */
  for?: number;
  reason?: string;
}

interface Suspension {
  key: string;
  since: string;
  until?: string;
  reason?: string;
}

interface StatusDocument {
  revision: { sha: string; message: string; author: string } | null;
  rejectedRevision: { sha: string } | null;
  lastReconcile: { triggers: string[]; result: string; at: string; durationMs: number; writes: number } | null;
  resources: { key: string; status: string; mode: string; lastAppliedAt?: string; lastError?: { code: string; message: string } }[];
  suspensions: Suspension[];
  /** With --share-targets: each target of the revision and who holds it. */
  targets?: { target: string; held: boolean; holder: string | null }[];
}

/** Calls the controller's operator API; the token comes only from BALLAST_API_TOKEN (never a flag: flags show in ps). */
async function call(options: OperatorOptions, io: Io, method: string, route: string, json?: object): Promise<{ status: number; body: unknown }> {
  const token = io.env.BALLAST_API_TOKEN;
  const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) };
  const response = await fetch(new URL(route, options.controller), { method, headers, ...(json ? { body: JSON.stringify(json) } : {}) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

function refused(status: number, body: unknown, io: Io): number {
  const error = (body as { error?: string }).error ?? `HTTP ${status}`;
  io.stderr(`controller answered ${status}: ${error}\n`);
  return 1;
}

export async function statusCommand(options: OperatorOptions, io: Io): Promise<number> {
  const { status, body } = await call(options, io, 'GET', '/status');
  if (status !== 200) return refused(status, body, io);
  const s = body as StatusDocument;
  if (options.output === 'json') {
    // The envelope's `revision` is the sha; /status's revision object (sha, message, author) becomes `commit`.
    const { revision, ...rest } = s;
    writeJson(io, { ...rest, commit: revision }, revision?.sha ?? null);
    return 0;
  }
  const r = s.revision;
  const last = s.lastReconcile;
  const lines = [
    `revision   ${r ? `${r.sha.slice(0, 7)} ${r.author}: ${r.message.split('\n')[0]}` : 'none loaded'}`,
    ...(s.rejectedRevision ? [`rejected   ${s.rejectedRevision.sha.slice(0, 7)} (invalid; see /status for its problems)`] : []),
    `reconcile  ${last ? `${last.result} at ${last.at} (${last.triggers.join(', ')}, ${(last.durationMs / 1000).toFixed(1)}s, ${last.writes} writes)` : 'none yet'}`,
    ...(s.suspensions ?? []).map((x) => `suspended  ${describeSuspension(x)}`),
    ...(s.targets ? [`targets    ${describeTargets(s.targets)}`] : []),
    '',
  ];
  const rows = s.resources.map((x) => [x.key, x.status, x.mode, x.lastAppliedAt ?? '-', x.lastError ? `${x.lastError.code}: ${x.lastError.message}` : '-']);
  const header = ['RESOURCE', 'STATUS', 'MODE', 'LAST CHANGE', 'LAST ERROR'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) lines.push(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

export async function reconcileCommand(options: OperatorOptions, io: Io): Promise<number> {
  const { status, body } = await call(options, io, 'POST', `/reconcile${options.wait ? '?wait=true' : ''}`);
  if (status !== 200 && status !== 202) return refused(status, body, io);
  const summary = body as { result?: string; error?: string; revision?: string };
  if (options.output === 'json') writeJson(io, summary as object, summary.revision ?? null);
  else io.stdout(options.wait ? `reconcile ${summary.result ?? summary.error}\n` : 'reconcile requested\n');
  return !options.wait || summary.result === 'success' ? 0 : 1;
}

/** `EcsService/storefront until 2025-01-01T13:00:00.000Z: deploy freeze`. */
/** `held: eu, us; others: ap (host-b), de (none)`: what this replica reconciles, and who has the rest. */
function describeTargets(targets: NonNullable<StatusDocument['targets']>): string {
  const mine = targets.filter((t) => t.held).map((t) => t.target);
  const others = targets.filter((t) => !t.held).map((t) => `${t.target} (${t.holder ?? 'none'})`);
  return `held by this replica: ${mine.join(', ') || 'none'}${others.length > 0 ? `; others: ${others.join(', ')}` : ''}`;
}

function describeSuspension(s: Suspension): string {
  return `${s.key} ${s.until ? `until ${s.until}` : 'until resumed'}${s.reason ? `: ${s.reason}` : ''}`;
}

export async function suspendCommand(key: string, options: OperatorOptions, io: Io): Promise<number> {
  const request = { key, ...(options.for !== undefined ? { forSeconds: options.for / 1000 } : {}), ...(options.reason ? { reason: options.reason } : {}) };
  const { status, body } = await call(options, io, 'POST', '/suspend', request);
  if (status !== 200) return refused(status, body, io);
  const { suspended } = body as { suspended: Suspension };
  if (options.output === 'json') writeJson(io, { suspended });
  else io.stdout(`suspended ${describeSuspension(suspended)}\n`);
  return 0;
}

export async function resumeCommand(key: string, options: OperatorOptions, io: Io): Promise<number> {
  const { status, body } = await call(options, io, 'POST', '/resume', { key });
  if (status !== 200) return refused(status, body, io);
  if (options.output === 'json') writeJson(io, { resumed: key });
  else io.stdout(`resumed ${key}: read and corrected again from the next reconcile\n`);
  return 0;
}
