/** An AWS API call answers in seconds; a minute without a connection or an answer is one that will not come. */
export const DEFAULT_AWS_TIMEOUT = 60;

/** The longest Node's timers take (2^31-1 ms); a longer one would fire at once. */
export const MAX_AWS_TIMEOUT = 2_147_483;

/**
 * The SDK request handler settings for it: no connection, no answer's headers, or a body that stalls that long fails the
 * attempt with ETIMEDOUT (retried as transient); 0 waits for ever, as the SDK does by default.
 */
export function timeoutHandler(seconds = DEFAULT_AWS_TIMEOUT): { connectionTimeout?: number; requestTimeout?: number; socketTimeout?: number; throwOnRequestTimeout?: true } {
  if (seconds === 0) return {};
  const ms = seconds * 1000;
  return { connectionTimeout: ms, requestTimeout: ms, socketTimeout: ms, throwOnRequestTimeout: true };
}
