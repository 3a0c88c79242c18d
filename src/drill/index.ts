export { runDrill, duration } from './run.js';
export { cleanupLeftovers, DRILL_TAG, DRILL_DEADLINE_TAG, type CleanupOptions, type CleanupResult } from './instance.js';
export { DrillScheduler, type DrillStatus } from './scheduler.js';
export { drillNotification, renderDrill } from './report.js';
export { executeDrill } from './execute.js';
export type { CheckResult, DrillContext, DrillOutcome, DrillResult, RestoreMethod } from './types.js';
