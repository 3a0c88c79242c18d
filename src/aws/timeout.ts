/** An AWS API call answers in seconds; a minute without a connection or an answer is one that will not come. */
export const DEFAULT_AWS_TIMEOUT = 60;

/** The SDK request handler settings for it: the attempt fails with ETIMEDOUT (retried as transient); 0 waits for ever. */
export function timeoutHandler(seconds = DEFAULT_AWS_TIMEOUT): { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true } {
  return { connectionTimeout: seconds * 1000, requestTimeout: seconds * 1000, throwOnRequestTimeout: true };
}
