import { createAws, type AwsOptions } from '../aws/clients.js';
import { createSession, type Session, type SessionOptions } from '../observe/context.js';
import type { Target } from '../schema/index.js';
import { assumeRoleCredentials } from './credentials.js';

/**
 * One Session per target, kept for the life of the process (its memo, concurrency limits and credentials with it):
 * the default target is the controller's own session; a Target gets clients in its region that act as its role.
 * Every session counts its calls on the controller's counter, and a standby's send gate holds them all; the CLI's
 * cache folder serves them all (its keys are revision ARNs, which name account and region).
 */
export class TargetSessions {
  /** By Target name, with the spec its session was made for. */
  private readonly sessions = new Map<string, { spec: string; session: Session }>();

  constructor(
    readonly base: Session,
    private readonly options: Pick<AwsOptions, 'retryMode' | 'maxAttempts' | 'sendGate'> & Pick<SessionOptions, 'concurrency' | 'store'> = {},
  ) {}

  for(target: Target | undefined): Session {
    if (!target) return this.base;
    const spec = JSON.stringify(target.spec);
    const kept = this.sessions.get(target.metadata.name);
    // A Target whose spec changed in a new revision gets new clients and credentials.
    if (kept?.spec === spec) return kept.session;
    const aws = createAws({
      retryMode: this.options.retryMode,
      maxAttempts: this.options.maxAttempts,
      sendGate: this.options.sendGate,
      region: target.spec.region,
      counter: this.base.aws.counter,
      credentials: assumeRoleCredentials(this.base.aws.sts, target, this.base.controllerId),
    });
    const session = createSession(aws, { controllerId: this.base.controllerId, concurrency: this.options.concurrency, store: this.options.store });
    this.sessions.set(target.metadata.name, { spec, session });
    return session;
  }
}
