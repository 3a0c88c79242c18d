/** Test files run in parallel on this many workers (the CI machine has 2 cores; the suite mostly waits on I/O). */
export const TEST_WORKERS = 2;
