import { spawn, type ChildProcess } from 'node:child_process';
import { tempDir } from './temp.js';
import { EVENT_TIMEOUT_MS } from './wait.js';

export interface LogLine {
  msg: string;
  time: number;
  [key: string]: unknown;
}

/**
 * `ballast run` as its own process, through the real launcher (bin/ballast.js, on the bundle the tests' global setup built),
 * as a container runs it: its JSON log lines are collected and can be awaited, and it can be signalled (SIGKILL,
 * SIGSTOP, SIGTERM) like a task.
 */
export class ControllerProcess {
  readonly logs: LogLine[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  private constructor(
    env: NodeJS.ProcessEnv,
    nodeOptions: string[],
    private readonly apiToken = env.BALLAST_API_TOKEN,
  ) {
    this.child = spawn(process.execPath, [...nodeOptions, 'bin/ballast.js', 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    let rest = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const text of lines) {
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          continue;
        }
        this.logs.push(line);
        this.waiters = this.waiters.filter((w) => (w.match(line) ? (w.resolve(line), false) : true));
      }
    });
    this.child.stderr!.resume();
  }

  /** Starts one and waits until it listens. */
  static async start(env: Record<string, string>, options: { nodeOptions?: string[] } = {}): Promise<ControllerProcess> {
    const p = new ControllerProcess(
      {
        ...process.env,
        BALLAST_WORKDIR: await tempDir('clone'),
        BALLAST_PORT: '0',
        BALLAST_HOST: '127.0.0.1',
        BALLAST_POLL_INTERVAL: '3600',
        BALLAST_DRIFT_SCHEDULE: '0 0 1 1 *',
        BALLAST_LOG_LEVEL: 'info',
        ...env,
      },
      options.nodeOptions ?? [],
    );
    await p.waitFor((l) => l.msg === 'controller started', EVENT_TIMEOUT_MS);
    return p;
  }

  get url(): string {
    return String(this.logs.find((l) => l.msg === 'controller started')?.url);
  }

  /** The first log line (already seen or still to come) matching, or a rejection after timeoutMs. */
  waitFor(match: (l: LogLine) => boolean, timeoutMs: number, since = 0): Promise<LogLine> {
    const seen = this.logs.find((l) => l.time >= since && match(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ match: (l) => l.time >= since && match(l), resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  async status(): Promise<{ leader: boolean; identity: string; holder: string | null } & Record<string, unknown>> {
    return (await fetch(`${this.url}/status`, { headers: this.apiToken ? { authorization: `Bearer ${this.apiToken}` } : {} })).json() as never;
  }

  /** Ends it for good (SIGKILL unless told otherwise) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}
