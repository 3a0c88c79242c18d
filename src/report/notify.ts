import { isDeepStrictEqual } from 'node:util';
import { redactValue, show } from './redact.js';
import { describeChanges, type ChangeFact } from './change-words.js';
import { context, escape, fairSample, fallback, header, moreLine, sections, type Block } from './slack-format.js';
import { CONTROLLER_DEFAULTS } from '../controller/config.js';
import type { Suspension } from '../suspend/store.js';

/** What the controller saw in one reconcile; the input of the notification policy. */
export interface ReconcileReport {
  /** The revision in force (the last good one while the branch head is invalid). */
  revision: string;
  /** The commit of `revision`, for people: who changed what. */
  commit?: { author: string; subject: string };
  /** Every reason folded into this reconcile; `operator`: asked for with `ballast reconcile` (POST /reconcile); `event`: an AWS change event named the resources; `progress`: a health read of what is still progressing; `expiry`: a suspension given a duration ended. */
  triggers: ('poll' | 'webhook' | 'drift-scan' | 'startup' | 'retry' | 'operator' | 'event' | 'progress' | 'expiry' | 'takeover')[];
  /** Every drifted field found in this reconcile (not only new ones): drift missing from a report is gone. */
  drift: {
    key: string /* Kind/name */;
    /** The Target of the resource; absent for the default target (so on every entry below). */
    target?: string;
    path: string;
    live: unknown;
    desired: unknown;
    mode: 'enforce' | 'detect';
    corrected: boolean;
    /** The whole resource rather than a field: deleted by hand, or its ownership tag (or marker) gone. */
    event?: 'deleted' | 'ownership-lost';
    /** For ownership lost: what Ballast does about it and how to take it back. */
    note?: string;
  }[];
  /**
   * `disruption`: what the actions did to what runs (rolls tasks, restarts DB, ...), when anything; `cost`: the monthly
   * delta of the change, e.g. "+ $292.00/month (db.r6g.large … -> db.r6g.xlarge …)";
   * `changes`: the fields Git asked to change, told in words (`cpu 512 -> 1024`); absent for creations.
   */
  applied: { key: string; target?: string; summary: string; operations: string[]; changes?: ChangeFact[]; disruption?: string; cost?: string }[];
  /**
   * `terminal`: will not pass by retrying (refused, access denied, bad reference); the controller does not back off for it.
   * `carried`: found by an earlier reconcile and not tried again by this one (the source, while nothing fetched): it
   * keeps its streak without adding to it.
   */
  failures: { key: string; target?: string; code: string; message: string; terminal?: boolean; carried?: boolean }[];
  /** Resources suspended at runtime (`ballast suspend`): neither read nor corrected while suspended. */
  suspended?: Suspension[];
  /** Set on every reconcile while the branch head is an invalid revision, or one refused for its signature. */
  invalid?: {
    revision: string;
    problems: { file: string; line: number; col: number; subject?: string; message: string }[];
    refused?: { committer: string; reason: string };
  };
}

/** `drill`: a RestoreDrill result (src/drill/report.ts); the others come from reconciles. */
export type NotificationKind = 'drift' | 'applied' | 'failures' | 'invalid' | 'recovered' | 'suspension' | 'drill';

/** One Slack message: `text` is the plain fallback (notifications, screen readers), `blocks` the rendering. */
export interface Notification {
  kind: NotificationKind;
  text: string;
  blocks: Block[];
}

const MAX_LINES = 20;
const MAX_VALUE = 80;
/** A failure's AWS message or a problem's text: long enough to act on, short enough for 20 lines a message. */
const MAX_DETAIL = 600;

/** A bullet line: `subject` is shown bold in Slack; `group` (the kind) keeps a place when lines are cut. */
interface Line {
  subject: string;
  detail: string;
  group: string;
}

interface Seen<V> {
  value: V;
  at: number;
}

/**
 * Decides which Slack messages a reconcile deserves. Repeated drift and failures stay quiet for the quiet period
 * unless their values change; a burst of events becomes one message per kind of event.
 */
export class NotificationPolicy {
  private readonly quietPeriodMs: number;
  private readonly now: () => number;
  /** key + path -> the drift values last notified. */
  private drift = new Map<string, Seen<{ key: string; live: unknown; desired: unknown }>>();
  /** key + code + message -> when last notified. */
  private failures = new Map<string, Seen<null>>();
  /** Resource (or `AWS`, `Source/git`) -> how many reports in a row it failed in, with a failure that may pass. */
  private streaks = new Map<string, number>();
  private readonly transientAfter: number;
  private readonly invalidRevisions = new Set<string>();
  private failing = false;
  /** Suspension key -> its `until`, as last told: a new, changed or lifted suspension is told once. */
  private suspensions = new Map<string, string>();

  constructor(options: { quietPeriodMs?: number; now?: () => number; transientAfter?: number } = {}) {
    this.quietPeriodMs = options.quietPeriodMs ?? CONTROLLER_DEFAULTS.quietPeriod * 1000;
    this.transientAfter = options.transientAfter ?? CONTROLLER_DEFAULTS.reportFailuresAfter;
    this.now = options.now ?? Date.now;
  }

  decide(full: ReconcileReport): Notification[] {
    const report = { ...full, failures: this.outlasting(full.failures) };
    const out = [
      this.driftMessage(report),
      appliedMessage(report),
      this.failuresMessage(report),
      this.invalidMessage(report),
      this.recoveredMessage(report),
      this.suspensionMessage(report),
    ];
    return out.filter((n): n is Notification => n !== undefined);
  }

  private driftMessage(report: ReconcileReport): Notification | undefined {
    const { fresh, kept } = this.select(
      this.drift,
      report.drift.map((d) => ({ id: `${d.key}\u0000${d.path}`, value: { key: d.key, live: d.live, desired: d.desired }, item: d })),
    );
    this.drift = kept;
    if (fresh.length === 0) return undefined;
    const resources = new Set(fresh.map((d) => d.key)).size;
    const lines = byKey(fresh).map((d) => ({ subject: subjectOf(d), detail: driftDetail(d), group: kindOf(d.key) }));
    return message('drift', `Drift found on ${plural(resources, 'resource')} (${plural(fresh.length, 'field')})`, lines, report);
  }

  /**
   * The failures worth telling now: terminal ones at once; one that may pass by itself (throttling, 5xx, a network
   * error, an unreachable remote) only once its resource has failed `transientAfter` reports in a row, so throttling
   * that heals within its retries stays out of Slack. A report without the resource's failure ends its streak.
   */
  private outlasting(failures: ReconcileReport['failures']): ReconcileReport['failures'] {
    const transient = new Set(failures.filter((f) => f.terminal !== true).map((f) => f.key));
    const tried = new Set(failures.filter((f) => !f.carried).map((f) => f.key));
    this.streaks = new Map([...transient].map((key) => [key, (this.streaks.get(key) ?? 0) + (tried.has(key) ? 1 : 0)]));
    return failures.filter((f) => f.terminal === true || (this.streaks.get(f.key) ?? 0) >= this.transientAfter);
  }

  private failuresMessage(report: ReconcileReport): Notification | undefined {
    const { fresh, kept } = this.select(
      this.failures,
      report.failures.map((f) => ({ id: `${f.key}\u0000${f.code}\u0000${f.message}`, value: null, item: f })),
    );
    this.failures = kept;
    if (fresh.length === 0) return undefined;
    const lines = byKey(fresh).map((f) => ({ subject: subjectOf(f), detail: clip(`${f.code}: ${f.message}`), group: kindOf(f.key) }));
    return message('failures', `Reconcile failed for ${plural(new Set(fresh.map((f) => f.key)).size, 'resource')}`, lines, report);
  }

  private invalidMessage(report: ReconcileReport): Notification | undefined {
    const invalid = report.invalid;
    if (!invalid || this.invalidRevisions.has(invalid.revision)) return undefined;
    this.invalidRevisions.add(invalid.revision);
    if (invalid.refused) {
      const title = `Revision ${short(invalid.revision)} refused: ${invalid.refused.reason}; ${short(report.revision)} stays in force`;
      return message('invalid', title, [{ subject: 'committed by', detail: clip(invalid.refused.committer), group: 'commit' }], report);
    }
    const lines = invalid.problems.map((p) => ({
      subject: `${p.file}:${p.line}:${p.col}`,
      detail: clip(p.subject ? `${p.subject}: ${p.message}` : p.message),
      group: p.file,
    }));
    const title = `Invalid revision ${short(invalid.revision)} rejected (${plural(invalid.problems.length, 'problem')}); ${short(report.revision)} stays in force`;
    return message('invalid', title, lines, report);
  }

  private recoveredMessage(report: ReconcileReport): Notification | undefined {
    const wasFailing = this.failing;
    this.failing = report.failures.length > 0 || report.invalid !== undefined;
    if (!wasFailing || this.failing) return undefined;
    return message('recovered', `Recovered: ${short(report.revision)} reconciled cleanly`, [], report);
  }

  private suspensionMessage(report: ReconcileReport): Notification | undefined {
    const now = new Map((report.suspended ?? []).map((s) => [s.key, s.until ?? '']));
    const told = this.suspensions;
    this.suspensions = now;
    const lines: Line[] = [
      ...(report.suspended ?? []).filter((s) => told.get(s.key) !== (s.until ?? '')).map((s) => ({ subject: s.key, detail: suspensionDetail(s), group: 'suspended' })),
      ...[...told.keys()].filter((key) => !now.has(key)).map((key) => ({ subject: key, detail: 'resumed: read and corrected again', group: 'resumed' })),
    ];
    if (lines.length === 0) return undefined;
    return message('suspension', `Suspensions changed: ${now.size} ${now.size === 1 ? 'resource' : 'resources'} suspended`, lines, report);
  }

  /**
   * Splits current events into those to notify (new, changed, or quiet period over) and the memory to keep.
   * Memory outlives an event's absence until the quiet period ends: drift that someone keeps re-making by hand
   * (and Ballast keeps reverting) is told once, not at every scan.
   */
  private select<V, T>(memory: Map<string, Seen<V>>, current: { id: string; value: V; item: T }[]) {
    const now = this.now();
    const fresh: T[] = [];
    const kept = new Map([...memory].filter(([, seen]) => now - seen.at < this.quietPeriodMs));
    for (const { id, value, item } of current) {
      const seen = kept.get(id);
      if (seen && isDeepStrictEqual(seen.value, value) && now - seen.at < this.quietPeriodMs) {
        kept.set(id, seen);
      } else {
        kept.set(id, { value, at: now });
        fresh.push(item);
      }
    }
    return { fresh, kept };
  }
}

/** A resource as Slack names it: with its target, when it is placed in one. */
const subjectOf = (item: { key: string; target?: string }) => (item.target !== undefined ? `${item.key} (target ${item.target})` : item.key);

function appliedMessage(report: ReconcileReport): Notification | undefined {
  if (report.applied.length === 0) return undefined;
  const lines = byKey(report.applied).map((a) => ({
    subject: subjectOf(a),
    detail: `${a.changes?.length ? clip(describeChanges(a.changes)) : a.operations.length > 0 ? `${clip(a.summary)} (${a.operations.join(', ')})` : clip(a.summary)}${a.disruption ? ` [${a.disruption}]` : ''}${a.cost ? `; cost: ${a.cost}` : ''}`,
    group: kindOf(a.key),
  }));
  const count = plural(new Set(report.applied.map((a) => a.key)).size, 'resource');
  const from = report.commit ? ` from ${short(report.revision)} by ${report.commit.author}: ${report.commit.subject}` : '';
  return message('applied', `Changes applied to ${count}${from}`, lines, report);
}

/** `spec.path: live -> desired (reverted)`; values of secret-looking paths are redacted. */
function driftDetail(d: ReconcileReport['drift'][number]): string {
  if (d.event === 'deleted') return d.mode === 'detect' ? 'deleted by hand (detect mode: not recreated)' : d.corrected ? 'deleted by hand, recreated' : 'deleted by hand, not recreated';
  if (d.event === 'ownership-lost') return d.note ?? 'ownership lost';
  const value = (v: unknown) => show(redactValue(d.path, v), MAX_VALUE);
  const outcome = d.mode === 'detect' ? '(detect mode: not changed)' : d.corrected ? '(reverted)' : '(not reverted)';
  return `${d.path}: ${value(d.live)} -> ${value(d.desired)} ${outcome}`;
}

function suspensionDetail(s: Suspension): string {
  return clip(`suspended ${s.until ? `until ${s.until}` : 'until resumed'}${s.reason ? `: ${s.reason}` : ''} (not read, not corrected)`);
}

/** Builds a message within Slack's limits; every text is escaped before it is bounded, the fallback too. */
function message(kind: NotificationKind, title: string, all: Line[], report: ReconcileReport): Notification {
  const { shown, hidden } = fairSample(all, MAX_LINES, (l) => l.group);
  const more = moreLine(hidden);
  const lines = shown.map((l) => `• *${escape(l.subject)}* ${escape(l.detail)}`);
  const plain = shown.map((l) => escape(`${l.subject} ${l.detail}`));
  if (more) {
    lines.push(`_${escape(more)}_`);
    plain.push(escape(more));
  }
  const revision = report.commit ? `Commit \`${short(report.revision)}\` by ${report.commit.author}: ${report.commit.subject}` : `Revision \`${short(report.revision)}\``;
  const triggers = `${report.triggers.length > 1 ? 'triggers' : 'trigger'}: ${report.triggers.join(', ')}`;
  // Every message says what Ballast is not looking at, so nobody takes a quiet resource for a healthy one.
  const suspended = report.suspended?.length ? ` · suspended: ${report.suspended.map((s) => s.key).join(', ')}` : '';
  return {
    kind,
    text: fallback([escape(title), ...plain]),
    blocks: [header(escape(title)), ...sections(lines, 2), context(escape(`${revision} · ${triggers}${suspended}`))],
  };
}

/** Groups lines of the same resource together, keeping each resource's own order. */
function byKey<T extends { key: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.key.localeCompare(b.key));
}

const kindOf = (key: string) => key.split('/')[0] ?? key;

const clip = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

function short(sha: string): string {
  return sha.slice(0, 7);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
