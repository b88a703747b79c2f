// Public face of the worker: the schedule around cycles, its health port and alerts.
export { startWorker, type CycleOutcome, type CycleRunner, type RunningWorker, type TickSource, type WorkerDependencies } from './worker.js';
export { longestScheduleGapMs } from './health.js';
export { notifyAlertChanges, readAlertFacts, type AlertFacts } from './alerts.js';
