import type { Aws, ServiceName } from '../aws/clients.js';
import type { Kind, Manifest, ManifestOf, Mode } from '../schema/index.js';

/** One AWS API call, as data: plans are made of these, and apply sends exactly these. */
export interface AwsCall {
  service: ServiceName;
  /** The API operation name, e.g. "UpdateService". */
  operation: string;
  input: Record<string, unknown>;
}

/** A difference on one managed field. */
export interface FieldChange {
  /** Manifest-shaped path, e.g. "spec.cpu" or "spec.containers[app].image". */
  path: string;
  live: unknown;
  desired: unknown;
  /** Already pending at AWS (e.g. RDS PendingModifiedValues): shown, never sent again. */
  pending?: boolean;
  /** Why this change is destructive; it is refused unless the manifest opts in. */
  destructive?: string;
  /** A value a scaler chose from live traffic (e.g. the read replica count): acted on, never reported as drift. */
  scaling?: boolean;
  /** For people: why the desired value is what it is (e.g. the scaler's decision: metric, target, old -> new). */
  reason?: string;
  /** Why no call can close this gap (e.g. backups lagging behind the RPO budget): reported as drift, never sent. */
  unfixable?: string;
  /** An annotation this change needs besides allow-destructive (e.g. a major engine upgrade), and why; refused without it. */
  optIn?: { annotation: string; reason: string };
  /** Refused changes this one waits for, where the API cannot send it apart from them. */
  waitsFor?: string[];
}

/** A failure tied to one resource. Terminal errors wait for new input; transient ones are retried. */
export interface ResourceError {
  code: string;
  message: string;
  terminal: boolean;
  /** The manifest value the failure is about (a name that matches nothing). */
  ref?: string;
  /** Where that value is in the manifests: `file:line:col`. */
  at?: string;
}

/** Raised by pure stages when a resource cannot be planned (e.g. a subnet name that resolves to nothing). */
export class ResourceFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly terminal = true,
    /** The manifest value the failure is about (e.g. a subnet name), so reports can point at its file:line:col. */
    readonly ref?: string,
  ) {
    super(message);
  }
}

export type Observation<L> =
  | { state: 'missing' }
  | { state: 'found'; live: L; owned: boolean }
  | { state: 'error'; error: ResourceError };

/** What a reconciler asks the engine to do for one resource; the engine adds ids and cross-resource order. */
export interface Step {
  /** Distinguishes several steps of one resource (e.g. "primary", "replica-2"); omit for a single step. */
  part?: string;
  op: 'create' | 'update' | 'delete';
  /** One line for people, e.g. "register task definition revision and update service". */
  summary: string;
  calls: AwsCall[];
  /** Parts of the same resource that must finish first. */
  after?: string[];
  /** Wait until the resource is healthy before steps that come after this one start. */
  waitForHealth?: boolean;
}

export type RefType = 'subnet' | 'securityGroup' | 'targetGroup' | 'topic' | 'role';

/** Account-specific pieces named in manifests, resolved to ids and ARNs once per reconcile. */
export interface Refs {
  accountId: string | undefined;
  region: string;
  /** The id/ARN for a manifest ref; throws ResourceFailure when it resolves to nothing. */
  require(type: RefType, ref: string): string;
  /** The load balancer ARN a target group ARN is attached to. */
  loadBalancerOf(targetGroupArn: string): string | undefined;
}

export interface Context {
  controllerId: string;
  /** Every manifest of the revision, to follow references between kinds. */
  manifests: Manifest[];
  find<K extends Kind>(kind: K, name: string): ManifestOf<K> | undefined;
  refs: Refs;
}

export interface ObserveContext extends Context {
  aws: Aws;
  /** True when the ARN carries this controller's ownership tag (one tagging-API read answers for all kinds). */
  owned(arn: string): boolean;
  /** Memoises for the life of the process: immutable things such as task definition revisions. */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Bounded concurrency per AWS service. */
  limit<T>(service: ServiceName, fn: () => Promise<T>): Promise<T>;
}

export interface Health {
  steady: boolean;
  /** Failed for good (e.g. ECS rollout FAILED): stop waiting. */
  failed?: boolean;
  reason: string;
}

/** One per kind, all alike. Only observe and health talk to AWS; the rest are pure. */
export interface Reconciler<K extends Kind, L> {
  kind: K;
  /** Resource type in the Resource Groups Tagging API, when the kind is discovered by tag (for ownership and prune). */
  taggingType?: string;
  /** Its observe reads the ownership tags in the same call: the tagging read is needed for prune discovery only. */
  tagsInline?: boolean;
  /** Batched reads of the live objects the manifests name, normalised toward the manifest's shape. Keyed by metadata.name. */
  observe(manifests: ManifestOf<K>[], ctx: ObserveContext): Promise<Map<string, Observation<L>>>;
  /** Managed-field differences only; fields the manifest leaves out are never reported. */
  diff(desired: ManifestOf<K>, live: L, ctx: Context): FieldChange[];
  /** The calls that close the gap (live undefined: create). Pending changes are not sent again. */
  steps(desired: ManifestOf<K>, live: L | undefined, changes: FieldChange[], ctx: Context): Step[];
  /** `Kind/name` of the manifests this one needs to exist first. */
  dependsOn(desired: ManifestOf<K>): string[];
  health(desired: ManifestOf<K>, ctx: ObserveContext): Promise<Health>;
  /**
   * Its changes take minutes (RDS creates and modifies), so a health wait paces its reads: the first at the next beat
   * of the apply's cadence rather than straight after the write (whose answer is always "not yet"), each further
   * one twice as many beats on (see src/apply).
   */
  slowToSettle?: boolean;
  /** One line for people about a decision the live state led to (e.g. the replica scaler's), shown even when nothing changes. */
  explain?(live: L): string | undefined;
  /** Deleting this kind loses data or serves traffic: prune needs the destructive opt-in tag on the resource. */
  deleteIsDestructive?: boolean;
  /** For prune: the manifest name behind an owned ARN, and the calls that delete it. */
  nameOf?(arn: string): string;
  deleteSteps?(name: string, arn: string): Step[];
  /** Calls that add the ownership tag to an existing resource (adoption). */
  adoptCalls?(desired: ManifestOf<K>, live: L, ctx: Context): AwsCall[];
  /**
   * For kinds the tagging API cannot find: what this controller owns in the account, as id -> tags (with the
   * manifest tag naming `Kind/name`), given what the tagging read found. Prune reads it like the tagged kinds.
   */
  discoverOwned?(ctx: ObserveContext, tagged: Map<string, Record<string, string>>): Promise<Map<string, Record<string, string>>>;
  /** Changes whose refusal holds back every other change of the resource: the API cannot send the others apart. */
  inseparable?: string[];
}

export type ResourceKey = `${Kind}/${string}`;

export function keyOf(m: { kind: Kind; metadata: { name: string } }): ResourceKey {
  return `${m.kind}/${m.metadata.name}`;
}

export type { Mode };
