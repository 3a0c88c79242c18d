import { createAws } from '../aws/clients.js';
import { createSession, type Session } from '../observe/context.js';
import type { AwsCommandOptions } from './settings.js';

export function sessionFor(options: AwsCommandOptions): Session {
  const aws = createAws({ retryMode: options.retryMode, maxAttempts: options.maxAttempts });
  return createSession(aws, { controllerId: options.controllerId, concurrency: options.concurrency });
}
