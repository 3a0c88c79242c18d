/**
 * Test files run in parallel on this many workers. The CI machine has 2 cores; with two workers they stood idle a
 * third of the time (rollouts, leases, child processes), with three the suite keeps them busy.
 */
export const TEST_WORKERS = 3;
