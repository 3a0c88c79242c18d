import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { within } from './wait.js';

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/** A local HTTP receiver standing in for Slack's incoming webhook: collects messages and lets tests await them. */
export class SlackReceiver {
  readonly messages: SlackMessage[] = [];
  private server?: Server;
  private waiters: { count: number; resolve: () => void }[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.messages.push(JSON.parse(body) as SlackMessage);
        res.end('ok');
        this.waiters = this.waiters.filter((w) => (this.messages.length >= w.count ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T000/B000/secret-token`;
  }

  /** Resolves once `count` messages in all have arrived; fails, listing what came, if they do not within the timeout. */
  received(count: number, ms?: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    const arrived = new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    return within(arrived, () => `${count} Slack message(s); got ${JSON.stringify(this.texts())}`, ms);
  }

  texts(): string[] {
    return this.messages.map((m) => m.text);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
