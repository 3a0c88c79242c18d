import { ANNOTATIONS, isKind, type Manifest } from '../schema/index.js';
import { isReconciled } from '../engine/registry.js';
import type { SuspendStore, Suspension } from './store.js';

export { DynamoSuspendStore, MemorySuspendStore, type SuspendStore, type Suspension } from './store.js';

/** An operator's reason is a note for people, not a document: long enough for a ticket and a sentence. */
export const MAX_REASON = 200;

/** Why `Kind/name` cannot be suspended (unknown kind, bad shape), or undefined. */
export function keyProblem(key: string): string | undefined {
  const [kind, name, ...rest] = key.split('/');
  if (!kind || !name || rest.length > 0) return `expected Kind/name, e.g. EcsService/storefront, got "${key.slice(0, 100)}"`;
  if (!isKind(kind)) return `unknown kind "${kind.slice(0, 50)}"`;
  // The drill scheduler reads only its annotation: a runtime suspension would look honoured and not be.
  if (!isReconciled(kind)) return `a ${kind} is suspended with its ballast.dev/mode annotation, not at runtime`;
  return undefined;
}

/**
 * Runtime suspensions set by `ballast suspend` and lifted by `ballast resume` or their expiry. Every read goes to the
 * store, so a replica that takes over the lease honours what the last leader was told; writes are serialised so two
 * requests at once cannot lose one another's change.
 */
export class Suspensions {
  private last: Suspension[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: SuspendStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The suspensions in force now; when the store cannot be read, the last ones read (the caller logs why). */
  async current(): Promise<{ suspended: Suspension[]; error?: string }> {
    try {
      this.last = await this.store.load();
    } catch (err) {
      return { suspended: this.inForce(this.last), error: (err as Error).message };
    }
    return { suspended: this.inForce(this.last) };
  }

  suspend(key: string, options: { forMs?: number; reason?: string }): Promise<Suspension> {
    return this.serial(async () => {
      const now = this.now();
      const suspension: Suspension = {
        key,
        since: new Date(now).toISOString(),
        ...(options.forMs !== undefined ? { until: new Date(now + options.forMs).toISOString() } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
      };
      await this.write((list) => [...list.filter((s) => s.key !== key), suspension]);
      return suspension;
    });
  }

  /** Lifts a suspension; false when the resource was not suspended. */
  resume(key: string): Promise<boolean> {
    return this.serial(async () => {
      let found = false;
      await this.write((list) => list.filter((s) => (s.key === key ? ((found = true), false) : true)));
      return found;
    });
  }

  /** Milliseconds until the first suspension in force ends by itself, if any has a duration. */
  nextExpiry(suspended: Suspension[]): number | undefined {
    const ends = suspended.flatMap((s) => (s.until ? [Date.parse(s.until) - this.now()] : []));
    return ends.length > 0 ? Math.max(0, Math.min(...ends)) : undefined;
  }

  private async write(change: (list: Suspension[]) => Suspension[]): Promise<void> {
    const next = change(this.inForce(await this.store.load()));
    await this.store.save(next);
    this.last = next;
  }

  private inForce(list: Suspension[]): Suspension[] {
    const now = this.now();
    return list.filter((s) => !s.until || Date.parse(s.until) > now);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * The manifests as the run sees them: a suspended resource carries the suspend mode, so observe skips it and plan
 * marks it `suspended` exactly as if Git had annotated it (never read, never corrected, never counted as drift).
 */
export function suspendIn(manifests: Manifest[], suspended: Suspension[]): Manifest[] {
  if (suspended.length === 0) return manifests;
  const keys = new Set(suspended.map((s) => s.key));
  return manifests.map((m) =>
    keys.has(`${m.kind}/${m.metadata.name}`)
      ? ({ ...m, metadata: { ...m.metadata, annotations: { ...m.metadata.annotations, [ANNOTATIONS.mode]: 'suspend' } } } as Manifest)
      : m,
  );
}
