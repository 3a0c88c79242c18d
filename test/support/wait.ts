/**
 * How long a test waits for an event (a reconcile, a Slack message, a log line) before failing with what it saw. A
 * budget, not a measure: on a machine running two suites at once a controller's first reconcile took over 30 s.
 */
export const EVENT_TIMEOUT_MS = 60_000;

/** The promise, or a failure naming what did not happen (and what did, at that moment) once `ms` passed. */
export function within<T>(promise: Promise<T>, what: string | (() => string), ms = EVENT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
