// The executor: runs a plan phase by phase (upserts, group creates, member removals and adds, user deprovisions, group
// deletes), each phase through a small pool so that the SCIM client's limiter, not this loop, sets the pace.
import { ScimError } from '../scim/index.js';
import { stageLinkDeprovision, unstageLinkDeprovision } from '../store/index.js';
import { escrow, linksOf, record, StopCycle, type ApplyContext } from './apply-context.js';
import { adoptOrRenameGroup, changeMembers, createGroup, groupCreatesWithFirstMembers, removeGroup } from './execute-groups.js';
import { adoptUser, createUser, deprovisionUser, enableUser, updateUser } from './execute-users.js';
import type { Operation, Plan, RecordOperation } from './model.js';

export interface ApplyLimits {
  /** Operations started at once (the SCIM client queues beyond its own concurrency). */
  parallel: number;
  signal?: AbortSignal;
  /** Quarantine when more than this share of at least `minOperations` attempted operations failed. */
  failurePercent: number;
  minOperations: number;
  onOperationDone?: () => void;
}

export type ApplyEnd = { kind: 'done' } | { kind: 'interrupted' } | { kind: 'quarantine'; reason: string };

async function execute(ctx: ApplyContext, op: Operation): Promise<void> {
  switch (op.kind) {
    case 'create-user': return createUser(ctx, op);
    case 'adopt-user': return adoptUser(ctx, op);
    case 'update-user': return updateUser(ctx, op);
    case 'enable-user': return enableUser(ctx, op);
    case 'disable-user':
    case 'delete-user': return deprovisionUser(ctx, op);
    case 'create-group': return createGroup(ctx, op);
    case 'adopt-group':
    case 'rename-group': return adoptOrRenameGroup(ctx, op);
    case 'delete-group':
    case 'retire-group': return removeGroup(ctx, op);
    case 'add-members':
    case 'remove-members': return changeMembers(ctx, op);
    default: return recordOnly(ctx, op);
  }
}

async function recordOnly(ctx: ApplyContext, op: RecordOperation): Promise<void> {
  const key = { objectType: op.objectType, sourceId: op.sourceId };
  switch (op.kind) {
    case 'skip':
      return record(ctx, op, { status: 'skipped' });
    case 'conflict':
      ctx.tally.attempted += 1;
      return escrow(ctx, op, new ScimError({ kind: 'conflict', message: op.reason, request: { method: 'GET', url: op.objectType === 'user' ? '/Users' : '/Groups' } }), Date.now());
    case 'stage':
      // Logged once, when it is staged: a later cycle that finds it still staged has nothing new to say.
      if (linksOf(ctx, op.objectType).get(op.sourceId)?.stagedAction === op.action) return;
      return record(ctx, op, { status: 'skipped' }, { write: (tx) => stageLinkDeprovision(tx, ctx.target, key, op.action, ctx.now()) });
    case 'unstage':
      return record(ctx, op, { status: 'skipped' }, { write: (tx) => unstageLinkDeprovision(tx, ctx.target, key) });
  }
}

/** Runs operations with at most `parallel` in flight; stops starting new ones when told to stop. */
async function runPhase(ctx: ApplyContext, operations: readonly Operation[], limits: ApplyLimits, stop: () => ApplyEnd | undefined): Promise<ApplyEnd | undefined> {
  let next = 0;
  let ended: ApplyEnd | undefined;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < operations.length && ended === undefined && failure === undefined) {
      ended = stop();
      if (ended) return;
      const op = operations[next++] as Operation;
      try {
        await execute(ctx, op);
      } catch (error) {
        if (error instanceof StopCycle) ended = { kind: 'quarantine', reason: error.reason };
        else failure ??= error;
        return;
      }
      limits.onOperationDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.parallel, operations.length)) }, worker));
  if (failure !== undefined) throw failure;
  return ended ?? stop();
}

/** Extra passes over transient failures once every phase ran: bounded, each through the same rate limiter. */
export const retryPasses = 2;

const phaseOf = (op: Operation): number => {
  switch (op.kind) {
    case 'create-group': return 2;
    case 'remove-members': return 3;
    case 'add-members': return 4;
    case 'disable-user':
    case 'delete-user': return 5;
    case 'delete-group':
    case 'retire-group': return 6;
    default: return 1;
  }
};

/** A create tried again may have been applied by the attempt whose answer was lost: look it up before any POST. */
const asRetry = (op: Operation): Operation => (op.kind === 'create-user' || op.kind === 'create-group' ? { ...op, lookupFirst: true } : op);

/** The retry list of the pass before, in phase order (a create before the member add that waited for it). */
function phasesOf(operations: readonly Operation[]): Operation[][] {
  const phases: Operation[][] = [[], [], [], [], [], [], []];
  for (const op of operations) phases[phaseOf(op)]?.push(asRetry(op));
  return phases.filter((phase) => phase.length > 0);
}

export async function applyPlan(ctx: ApplyContext, plan: Plan, limits: ApplyLimits): Promise<ApplyEnd> {
  const stop = (): ApplyEnd | undefined => {
    if (limits.signal?.aborted) return { kind: 'interrupted' };
    const { attempted, failed } = ctx.tally;
    if (attempted >= limits.minOperations && (failed * 100) / attempted > limits.failurePercent) {
      return { kind: 'quarantine', reason: `${failed} of ${attempted} operations failed (more than ${limits.failurePercent}%)` };
    }
    return undefined;
  };
  const removals = plan.memberships.filter((op) => op.kind === 'remove-members');
  const adds = plan.memberships.filter((op) => op.kind === 'add-members');
  // Groups are created after the users they contain, so that a create can carry its first members (execute-groups.ts).
  const { upserts, groupCreates } = groupCreatesWithFirstMembers(plan);
  for (const phase of [plan.records, upserts, groupCreates, removals, adds, plan.deprovisions, plan.groupRetirements]) {
    const ended = await runPhase(ctx, phase, limits, stop);
    if (ended) return ended;
  }
  for (let pass = 1; pass <= retryPasses && ctx.retry.length > 0; pass++) {
    const phases = phasesOf(ctx.retry);
    ctx.logger.info({ event: 'apply.retry', pass, operations: ctx.retry.length }, 'apply.retry');
    ctx.retry = [];
    for (const phase of phases) {
      const ended = await runPhase(ctx, phase, limits, stop);
      if (ended) return ended;
    }
  }
  return { kind: 'done' };
}
