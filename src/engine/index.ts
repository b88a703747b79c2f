// Public face of the engine: one cycle, the dry-run plan and its table, the summary.
export { cycleStatus, runCycle, type CycleDependencies, type CycleOptions } from './cycle.js';
export { liftQuarantineOnNewConfiguration, quarantineFingerprint } from './quarantine.js';
export { planCycle, type PlanReport } from './dry-run.js';
export { renderPlanTable } from './render-plan.js';
export { describeLocked, describeSummary, type CycleSummary, type LockHolder } from './summary.js';
export type { Operation, Plan } from './model.js';
export { provisionOnDemand, provisionUserOrGroupOnDemand, type AnyOnDemandReport, type OnDemandReport } from './on-demand.js';
export { ON_DEMAND_GROUP_MEMBER_LIMIT, type GroupOnDemandReport } from './on-demand-group.js';
export { actorOf, decideStagedDeletes, decideUnaccountedMembers, NotStagedError, NotUnaccountedError, resetEscrows, resetQuarantine, resetWatermarks, type StagedDecision } from './manual-actions.js';
export { graceEnds } from './plan-groups.js';
