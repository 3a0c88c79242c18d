import { describe, expect, it } from 'vitest';
import type { MiddlewareStack } from '@smithy/types';
import { CallCounter } from '../../src/aws/counter.js';

type Handler = (args: { input: object }) => Promise<unknown>;

/** Runs one call through the counter's middleware, the way the SDK's stack does. */
async function call(counter: CallCounter, commandName: string, outcome: () => Promise<unknown>) {
  let middleware: ((next: Handler, context: object) => Handler) | undefined;
  counter.plugin('rds').applyToStack({ add: (m: typeof middleware) => (middleware = m) } as unknown as MiddlewareStack<object, object>);
  return middleware!(outcome, { commandName })({ input: { DBInstanceIdentifier: 'shop-db' } }).catch(() => undefined);
}

describe('CallCounter', () => {
  it('tells throttled calls apart from other errors and from successes', async () => {
    const counter = new CallCounter();
    await call(counter, 'DescribeDBInstancesCommand', async () => ({}));
    await call(counter, 'DescribeDBInstancesCommand', async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    });
    await call(counter, 'ModifyDBInstanceCommand', async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
    });
    expect(counter.summary()).toEqual({
      'rds:DescribeDBInstances:success': 1,
      'rds:DescribeDBInstances:throttled': 1,
      'rds:ModifyDBInstance:error': 1,
    });
    expect(counter.writes().map((c) => c.input)).toEqual([{ DBInstanceIdentifier: 'shop-db' }]);
  });
});
