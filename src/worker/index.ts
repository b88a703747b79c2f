// Public face of the worker: the schedule around cycles, its health port and alerts.
export { startWorker, verifyReason, type CycleObserver, type CycleOutcome, type CycleRequest, type CycleRunner, type RunningWorker, type TickSource, type WorkerDependencies } from './worker.js';
export { createCycleTrigger, type CycleTrigger, type CycleTriggerOptions, type CycleRequestOptions } from './trigger.js';
export type { PollOutcome, WatchPoll } from './watch.js';
export { longestScheduleGapMs } from './health.js';
export { notifyAlertChanges, readAlertFacts, type AlertFacts } from './alerts.js';
