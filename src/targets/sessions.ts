import { createAws, type AwsOptions } from '../aws/clients.js';
import type { SendGate } from '../aws/send-gate.js';
import { createSession, type Session, type SessionOptions } from '../observe/context.js';
import type { Target } from '../schema/index.js';
import { assumeRoleCredentials } from './credentials.js';

export interface TargetSessionOptions extends Pick<AwsOptions, 'retryMode' | 'maxAttempts' | 'awsTimeout' | 'sendGate'>, Pick<SessionOptions, 'concurrency' | 'store'> {
  /**
   * A send gate per target (undefined: the default target), when replicas share the targets out: the default target
   * then gets clients of its own instead of the base session's, and roles are assumed with ungated STS clients (a
   * replica assumes the roles of the targets it holds, whichever lease the base session's gate follows).
   */
  gateOf?: (target: string | undefined) => SendGate;
}

/**
 * One Session per target, kept for the life of the process (its memo, concurrency limits and credentials with it):
 * the default target is the controller's own session; a Target gets clients in its region that act as its role.
 * Every session counts its calls on the controller's counter, and a standby's send gate holds them all; the CLI's
 * cache folder serves them all (its keys are revision ARNs, which name account and region).
 */
export class TargetSessions {
  /** By Target name, with the spec its session was made for. */
  private readonly sessions = new Map<string, { spec: string; session: Session }>();
  private readonly own?: Session;
  private readonly assumer: Session['aws']['sts'];

  constructor(
    readonly base: Session,
    private readonly options: TargetSessionOptions = {},
  ) {
    const gateOf = options.gateOf;
    this.own = gateOf && this.session({ sendGate: gateOf(undefined) });
    this.assumer = gateOf ? createAws({ ...this.clientOptions, sendGate: undefined }).sts : base.aws.sts;
  }

  for(target: Target | undefined): Session {
    if (!target) return this.own ?? this.base;
    const spec = JSON.stringify(target.spec);
    const kept = this.sessions.get(target.metadata.name);
    // A Target whose spec changed in a new revision gets new clients and credentials.
    if (kept?.spec === spec) return kept.session;
    const session = this.session({
      sendGate: this.options.gateOf?.(target.metadata.name) ?? this.options.sendGate,
      region: target.spec.region,
      credentials: assumeRoleCredentials(this.assumer, target, this.base.controllerId),
    });
    this.sessions.set(target.metadata.name, { spec, session });
    return session;
  }

  private get clientOptions(): AwsOptions {
    const { retryMode, maxAttempts, awsTimeout } = this.options;
    return { retryMode, maxAttempts, awsTimeout, counter: this.base.aws.counter };
  }

  private session(options: Pick<AwsOptions, 'sendGate' | 'region' | 'credentials'>): Session {
    const aws = createAws({ ...this.clientOptions, ...options });
    return createSession(aws, { controllerId: this.base.controllerId, concurrency: this.options.concurrency, store: this.options.store });
  }
}
