import type { MiddlewareStack, Pluggable } from '@smithy/types';
import { maskSecrets } from '../secrets/ref.js';

export type Outcome = 'success' | 'throttled' | 'error';

export interface CallRecord {
  service: string;
  operation: string;
  outcome: Outcome;
  /** The request input, secret values masked: kept so tests can assert on what was sent (e.g. ApplyImmediately). */
  input: unknown;
}

const THROTTLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);

/** Read operations start with one of these; everything else writes, but AssumeRole (a target's credentials) changes nothing. */
export function isReadOperation(operation: string): boolean {
  return /^(Describe|List|Get)/.test(operation) || operation === 'AssumeRole';
}

/** Counts every AWS call (after retries: one logical call each) by service, operation and outcome. */
export class CallCounter {
  readonly calls: CallRecord[] = [];
  private listeners: ((call: CallRecord) => void)[] = [];

  /** keep: false only tells the listeners (for a client that calls forever, such as the lease's). */
  constructor(private readonly options: { keep?: boolean } = {}) {}

  onCall(listener: (call: CallRecord) => void): void {
    this.listeners.push(listener);
  }

  record(call: CallRecord): void {
    if (this.options.keep !== false) this.calls.push(call);
    for (const l of this.listeners) l(call);
  }

  reset(): void {
    this.calls.length = 0;
  }

  writes(): CallRecord[] {
    return this.calls.filter((c) => !isReadOperation(c.operation));
  }

  reads(): CallRecord[] {
    return this.calls.filter((c) => isReadOperation(c.operation));
  }

  /** `service:Operation:outcome` -> count, sorted, for output and metrics. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.calls) {
      const key = `${c.service}:${c.operation}:${c.outcome}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** A plugin that records each call made through one SDK client. */
  plugin<I extends object, O extends object>(service: string): Pluggable<I, O> {
    return {
      applyToStack: (stack: MiddlewareStack<I, O>) => {
        stack.add(
          (next, context) => async (args) => {
            const operation = String((context as { commandName?: string }).commandName ?? 'Unknown').replace(/Command$/, '');
            try {
              const result = await next(args);
              this.record({ service, operation, outcome: 'success', input: maskSecrets(args.input) });
              return result;
            } catch (err) {
              const name = (err as { name?: string }).name ?? '';
              this.record({ service, operation, outcome: THROTTLE_CODES.has(name) ? 'throttled' : 'error', input: maskSecrets(args.input) });
              throw err;
            }
          },
          { step: 'initialize', name: 'ballastCallCounter', priority: 'high' },
        );
      },
    };
  }
}
