import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import type { Notification } from './notify.js';

export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/** A slow Slack must not hold up the reconcile loop for long. */
const TIMEOUT_MS = 10_000;

/** Posts notifications to a Slack incoming webhook. Without a URL it does nothing; it never throws. */
export class SlackNotifier {
  private readonly webhook: IncomingWebhook | undefined;

  constructor(
    private readonly webhookUrl: string | undefined,
    private readonly logger?: WarnLogger,
    /** Told the outcome of every message sent (for the controller's metrics). */
    private readonly onOutcome?: (outcome: 'sent' | 'failed') => void,
  ) {
    this.webhook = webhookUrl ? new IncomingWebhook(webhookUrl, { timeout: TIMEOUT_MS }) : undefined;
  }

  /** Resolves true when Slack accepted the message. */
  async send(n: Notification): Promise<boolean> {
    if (!this.webhook) return false;
    try {
      await this.webhook.send({ text: n.text, blocks: n.blocks });
      this.onOutcome?.('sent');
      return true;
    } catch (error) {
      this.onOutcome?.('failed');
      this.logger?.warn({ notification: n.kind, ...this.describe(error) }, 'Slack notification not sent');
      return false;
    }
  }

  /** The failure without the webhook URL, which is a secret (fetch errors may quote it). */
  private describe(error: unknown): object {
    if (error instanceof IncomingWebhookHTTPError) return { status: error.statusCode };
    const failure = error instanceof IncomingWebhookRequestError ? error.original : error;
    // fetch says only "fetch failed"; the network error (ECONNREFUSED, timeout) is its cause.
    const reason = [failure, failure instanceof Error ? failure.cause : undefined]
      .filter((e): e is Error => e instanceof Error)
      .map((e) => `${e.name}: ${e.message}`)
      .join(': ') || String(failure);
    return { reason: this.webhookUrl ? reason.replaceAll(this.webhookUrl, '(webhook url)') : reason };
  }
}
