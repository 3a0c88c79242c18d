import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { Manifest } from '../schema/index.js';
import { MalformedEvent, parseEvent } from './event.js';
import { handlesOf, manifestsTouched, manifestsWhere, ownIdentities, type Home } from './touched.js';

/** What became of one message; each is a value of the events metric. */
export type EventOutcome = 'reconcile' | 'own' | 'unmanaged' | 'foreign' | 'malformed';

export interface EventConsumerOptions {
  queueUrl: string;
  sqs: SQSClient;
  /** The controller's own identity (its role session's ARN): its writes come back as events and are ignored. */
  self: () => Promise<string | undefined>;
  /** The controller's own region: events there (in its own account) are the default target's. */
  region: () => Promise<string | undefined>;
  /** The session name it takes in the Targets' roles: its writes there come back as events of that session. */
  sessionName: string;
  /** The manifests of the revision in force (none yet: every event is unmanaged, the first reconcile reads everything). */
  manifests: () => Manifest[] | undefined;
  /** Called once per burst with every resource its events touched. */
  onResources: (keys: string[]) => void;
  /** Events less than this apart make one burst, hence one reconcile. */
  coalesceMs: number;
  logger: Logger;
  count: (outcome: EventOutcome) => void;
}

/** SQS allows 20 s at most; a long poll costs one request per 20 s on a quiet queue. */
export const WAIT_SECONDS = 20;
const RECEIVE_RETRY_MS = 5_000;
/** A burst is handed over at the latest this many coalescing windows after its first event. */
const MAX_WINDOWS = 5;

/**
 * Long-polls the events queue and hands the resources each burst of events touches to the controller. Every message
 * it can make sense of (or not) is deleted at once, so nothing blocks the queue; a message whose handling throws is
 * left for SQS to redeliver, and the queue's redrive policy moves it to the dead-letter queue after N receives.
 */
export class EventConsumer {
  private loop?: Promise<void>;
  private abort?: AbortController;
  private burst = new Set<string>();
  private timer?: NodeJS.Timeout;
  private burstStart?: number;

  constructor(private readonly options: EventConsumerOptions) {}

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Ends the long poll at once; a burst still gathering is dropped (the next drift scan reads everything). */
  async stop(): Promise<void> {
    // Forgotten at once, so that a start() while this one ends (leading again) starts a new loop.
    const loop = this.loop;
    this.loop = undefined;
    this.abort?.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.burst.clear();
    this.burstStart = undefined;
    await loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { sqs, queueUrl, logger } = this.options;
    const self = await this.options.self();
    const home: Home = { account: self?.split(':')[4], region: await this.options.region() };
    logger.info({ queue: queueUrl, ignoring: self ?? '(identity unknown: own writes are not told apart)' }, 'listening for AWS change events');
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: WAIT_SECONDS }), { abortSignal: signal });
        messages = out.Messages ?? [];
      } catch (err) {
        if (signal.aborted) break;
        logger.warn({ queue: queueUrl, err: (err as Error).message, retryInMs: RECEIVE_RETRY_MS }, 'cannot receive events: drift scans still run');
        await sleep(RECEIVE_RETRY_MS, undefined, { signal }).catch(() => undefined);
        continue;
      }
      const done = messages.filter((m) => this.handle(m, self, home));
      if (done.length > 0) await this.delete(done);
    }
  }

  /** True when the message is dealt with (and can be deleted). */
  private handle(message: Message, self: string | undefined, home: Home): boolean {
    const { logger, count } = this.options;
    const id = message.MessageId;
    try {
      const event = parseEvent(message.Body);
      const handles = handlesOf(event);
      if (!handles) {
        count('foreign');
        logger.info({ messageId: id, source: event.source, detailType: event.detailType, eventName: event.eventName }, 'event dropped: not a change Ballast watches');
        return true;
      }
      const manifests = this.options.manifests() ?? [];
      if (event.actor !== undefined && ownIdentities(self, manifests, this.options.sessionName).has(event.actor)) {
        count('own');
        logger.debug({ messageId: id, eventName: event.eventName }, 'event ignored: the controller\'s own write');
        return true;
      }
      const keys = manifestsTouched(handles, manifestsWhere(event, manifests, home));
      if (keys.length === 0) {
        count('unmanaged');
        logger.debug({ messageId: id, eventName: event.eventName, handles }, 'event ignored: no manifest names it');
        return true;
      }
      count('reconcile');
      logger.info({ messageId: id, source: event.source, eventName: event.eventName ?? event.detailType, actor: event.actor, resources: keys, at: event.time }, 'change event');
      this.gather(keys);
      return true;
    } catch (err) {
      if (!(err instanceof MalformedEvent)) {
        logger.error({ messageId: id, err: (err as Error).message }, 'event not handled: left for redelivery (the dead-letter queue takes it after the redrive policy\'s receives)');
        return false;
      }
      count('malformed');
      logger.warn({ messageId: id, reason: err.message }, 'event dropped: malformed message');
      return true;
    }
  }

  /**
   * A burst ends when no event came for one window, or five windows after its first event (so that a steady trickle
   * still gets corrected). SQS hands a burst over in several receives, so the end of a receive is no sign of its end.
   */
  private gather(keys: string[]): void {
    for (const k of keys) this.burst.add(k);
    const now = Date.now();
    this.burstStart ??= now;
    clearTimeout(this.timer);
    const wait = Math.min(this.options.coalesceMs, this.burstStart + MAX_WINDOWS * this.options.coalesceMs - now);
    this.timer = setTimeout(() => {
      const burst = [...this.burst];
      this.burst.clear();
      this.burstStart = undefined;
      this.timer = undefined;
      this.options.onResources(burst);
    }, Math.max(0, wait));
  }

  private async delete(messages: Message[]): Promise<void> {
    const { sqs, queueUrl, logger } = this.options;
    try {
      const out = await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
      if (out.Failed?.length) logger.warn({ failed: out.Failed.map((f) => f.Message ?? f.Code) }, 'some events not deleted: they come back after the visibility timeout');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'events not deleted: they come back after the visibility timeout');
    }
  }
}
