import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Block {
  type: string;
  text?: { text: string };
  elements?: { text: string }[];
}

/** Stands in for Slack's incoming webhook and prints each message as a person would read it in the channel. */
export class SlackStandIn {
  private server?: Server;
  count = 0;

  constructor(private readonly print: (line: string) => void) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.count += 1;
        this.show(JSON.parse(body) as { text: string; blocks?: Block[] });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/demo`;
  }

  private show(message: { text: string; blocks?: Block[] }): void {
    const lines = (message.blocks ?? [])
      .flatMap((b) => (b.type === 'context' ? (b.elements ?? []).map((e) => e.text) : b.text ? [b.text.text] : []))
      .flatMap((t) => t.split('\n'))
      // Slack's mrkdwn escapes these; the channel shows them plain.
      .map((t) => t.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&'));
    this.print('    ┌─ #platform-alerts (Slack) ──────────────────────────────');
    for (const line of lines.length > 0 ? lines : [message.text]) this.print(`    │ ${line}`);
    this.print('    └──────────────────────────────────────────────────────────');
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
