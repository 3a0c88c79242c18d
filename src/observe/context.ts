import pLimit, { type LimitFunction } from 'p-limit';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { createAws, type Aws, type AwsOptions, type ServiceName } from '../aws/clients.js';
import type { Kind, Manifest, ManifestOf } from '../schema/index.js';
import type { Context, ObserveContext, Refs } from '../engine/types.js';
import { MANAGED_BY_TAG } from '../engine/tags.js';
import { CONTROLLER_DEFAULTS } from '../controller/config.js';
import type { ImmutableStore } from '../cache/index.js';

/**
 * Process-lifetime memo (task definition revisions are immutable, so one read each is enough), backed by a store
 * that outlives the process when the CLI has a cache folder.
 */
class Memo {
  private readonly values = new Map<string, Promise<unknown>>();

  constructor(private readonly store?: ImmutableStore) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.values.get(key) as Promise<T> | undefined;
    if (!value) {
      value = this.store ? this.stored(key, load) : load();
      this.values.set(key, value);
      // A failed read is not remembered: the next reconcile tries again.
      value.catch(() => this.values.delete(key));
    }
    return value;
  }

  private async stored<T>(key: string, load: () => Promise<T>): Promise<T> {
    const kept = (await this.store!.read(key)) as T | undefined;
    if (kept !== undefined) return kept;
    const value = await load();
    await this.store!.write(key, value);
    return value;
  }
}

export interface SessionOptions {
  controllerId: string;
  /** Concurrent calls per AWS service, for reads and writes. */
  concurrency?: number;
  /** Keeps immutable reads between processes (the CLI's cache folder); the controller's memo lives in memory. */
  store?: ImmutableStore;
}

/** What lives as long as the process: clients, memo, per-service limits. */
export interface Session {
  aws: Aws;
  controllerId: string;
  memo: Memo;
  limit<T>(service: ServiceName, fn: () => Promise<T>): Promise<T>;
}

export function createSession(aws: Aws, options: SessionOptions): Session {
  const limits = new Map<ServiceName, LimitFunction>();
  const concurrency = options.concurrency ?? CONTROLLER_DEFAULTS.concurrency;
  return {
    aws,
    controllerId: options.controllerId,
    memo: new Memo(options.store),
    limit(service, fn) {
      let l = limits.get(service);
      if (!l) {
        l = pLimit(concurrency);
        limits.set(service, l);
      }
      return l(fn);
    },
  };
}

/** Clients from the standard AWS settings plus a session: what every command and the controller start from. */
export function openSession(options: Pick<AwsOptions, 'retryMode' | 'maxAttempts' | 'awsTimeout' | 'sendGate'> & SessionOptions): Session {
  const { retryMode, maxAttempts, awsTimeout, sendGate } = options;
  return createSession(createAws({ retryMode, maxAttempts, awsTimeout, sendGate }), options);
}

export function manifestIndex(manifests: Manifest[]): Pick<Context, 'manifests' | 'find'> {
  const byKey = new Map(manifests.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
  return {
    manifests,
    find: <K extends Kind>(kind: K, name: string) => byKey.get(`${kind}/${name}`) as ManifestOf<K> | undefined,
  };
}

/** ARN -> tags of everything this controller owns, for the given tagging resource types: one paged read for all kinds. */
export async function ownedArns(aws: Aws, controllerId: string, resourceTypes: string[]): Promise<Map<string, Record<string, string>>> {
  const owned = new Map<string, Record<string, string>>();
  if (resourceTypes.length === 0) return owned;
  let PaginationToken: string | undefined;
  do {
    const out = await aws.tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: MANAGED_BY_TAG, Values: [controllerId] }],
        ResourceTypeFilters: resourceTypes,
        // 100 resources a page; the tag budget must not cut a page short (each resource carries 2-3 tags).
        ResourcesPerPage: 100,
        TagsPerPage: 500,
        PaginationToken,
      }),
    );
    for (const r of out.ResourceTagMappingList ?? []) {
      if (r.ResourceARN) owned.set(r.ResourceARN, Object.fromEntries((r.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])));
    }
    PaginationToken = out.PaginationToken || undefined;
  } while (PaginationToken);
  return owned;
}

/** The context every reconciler's observe gets for one reconcile (see observeAll for the reads it is built from). */
export function buildObserveContext(
  session: Session,
  manifests: Manifest[],
  refs: Refs,
  owned: Map<string, Record<string, string>>,
): ObserveContext {
  return {
    ...manifestIndex(manifests),
    controllerId: session.controllerId,
    refs,
    aws: session.aws,
    owned: (arn) => owned.has(arn),
    memo: (key, load) => session.memo.get(key, load),
    limit: (service, fn) => session.limit(service, fn),
  };
}
