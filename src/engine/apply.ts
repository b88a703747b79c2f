// The executor: runs a plan phase by phase, offboarding first (ARCHITECTURE.md "One cycle", step 6), group creates
// after the users they contain, each phase through a small pool so that the SCIM client's limiter, not this loop, sets
// the pace.
import { ScimError } from '../scim/index.js';
import { stageLinkDeprovision, unstageLinkDeprovision } from '../store/index.js';
import { escrow, linksOf, record, StopCycle, type ApplyContext } from './apply-context.js';
import { adoptOrRenameGroup, changeMembers, createGroup, groupCreatesWithFirstMembers, removeGroup } from './execute-groups.js';
import { adoptsAsItIs, adoptUser, adoptUsersAsTheyAre, createUser, deprovisionUser, enableUser, updateUser } from './execute-users.js';
import { objectTypeOf, type Operation, type Plan, type RecordOperation } from './model.js';

export interface ApplyLimits {
  /** Operations started at once (the SCIM client queues beyond its own concurrency). */
  parallel: number;
  signal?: AbortSignal;
  /** Quarantine when more than this share of at least `minOperations` attempted operations failed. */
  failurePercent: number;
  minOperations: number;
  /** After each operation; `failed` when it ended escrowed or failed in this cycle (a record-only op never fails here). */
  onOperationDone?: (op: Operation, outcome: { failed: boolean }) => void;
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

/** Adoptions that change nothing in Notion are recorded this many to a transaction (two statements each). */
const adoptionsPerTransaction = 500;

/**
 * Runs operations with at most `parallel` in flight; stops starting new ones when told to stop. Adoptions that change
 * nothing in Notion go first, in batches: they send nothing, so nothing waits on them, and one at a time they cost a
 * transaction each (145 s of a 100,000-user adoption cycle on Postgres).
 */
async function runPhase(ctx: ApplyContext, phaseOperations: readonly Operation[], limits: ApplyLimits, stop: () => ApplyEnd | undefined): Promise<ApplyEnd | undefined> {
  const asTheyAre = phaseOperations.filter(adoptsAsItIs);
  for (let start = 0; start < asTheyAre.length; start += adoptionsPerTransaction) {
    const ended = stop();
    if (ended) return ended;
    const batch = asTheyAre.slice(start, start + adoptionsPerTransaction);
    await adoptUsersAsTheyAre(ctx, batch);
    for (const op of batch) limits.onOperationDone?.(op, { failed: false });
  }
  const operations = asTheyAre.length === 0 ? phaseOperations : phaseOperations.filter((op) => !adoptsAsItIs(op));
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
      limits.onOperationDone?.(op, { failed: ctx.failedThisCycle.has(`${objectTypeOf(op)}:${op.sourceId}`) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.parallel, operations.length)) }, worker));
  if (failure !== undefined) throw failure;
  return ended ?? stop();
}

/** Extra passes over transient failures once every phase ran: bounded, each through the same rate limiter. */
export const retryPasses = 2;

/**
 * The phases, in order. Offboarding first: a person who leaves loses access before anyone new is created or changed,
 * and leaves the groups we manage before the deprovision, whatever Notion does with a removed member's groups
 * (reference notion-scim §3.6). A failed removal does not hold the deprovision back: access goes first; the removal
 * is retried (in this cycle when transient; else the next cycle removes what is still applied).
 *   0 records · 1 leaving users' member removals · 2 user disables and deletes · 3 upserts (users, group renames and
 *   adoptions) · 4 group creates, with their first members · 5 other member removals · 6 member adds · 7 group deletes
 *   and retirements
 */
const phaseOf = (op: Operation): number => {
  switch (op.kind) {
    case 'remove-members': return op.offboarding ? 1 : 5;
    case 'add-members': return 6;
    case 'disable-user':
    case 'delete-user': return 2;
    case 'create-group': return 4;
    case 'delete-group':
    case 'retire-group': return 7;
    case 'skip':
    case 'conflict':
    case 'stage':
    case 'unstage': return 0;
    default: return 3;
  }
};

/** A create tried again may have been applied by the attempt whose answer was lost: look it up before any POST. */
const asRetry = (op: Operation): Operation => (op.kind === 'create-user' || op.kind === 'create-group' ? { ...op, lookupFirst: true } : op);

/** The deprovision phase: the failure-rate quarantine does not hold it back (see applyPlan). */
const deprovisionPhase = 2;

/** Operations by phase, in phase order; for a retry pass, the retry list of the pass before (a create before the member add that waited for it). */
function phasesOf(operations: readonly Operation[], prepare: (op: Operation) => Operation = (op) => op): Array<{ phase: number; operations: Operation[] }> {
  const phases: Operation[][] = [[], [], [], [], [], [], [], []];
  for (const op of operations) phases[phaseOf(op)]?.push(prepare(op));
  return phases.map((ops, phase) => ({ phase, operations: ops })).filter((entry) => entry.operations.length > 0);
}

export async function applyPlan(ctx: ApplyContext, plan: Plan, limits: ApplyLimits): Promise<ApplyEnd> {
  const interrupted = (): ApplyEnd | undefined => (limits.signal?.aborted ? { kind: 'interrupted' } : undefined);
  const stop = (): ApplyEnd | undefined => {
    const ended = interrupted();
    if (ended) return ended;
    const { attempted, failed } = ctx.tally;
    if (attempted >= limits.minOperations && (failed * 100) / attempted > limits.failurePercent) {
      return { kind: 'quarantine', reason: `${failed} of ${attempted} operations failed (more than ${limits.failurePercent}%)` };
    }
    return undefined;
  };
  // Offboarding first, and not starved: failures before the deprovision phase (member removals, conflicts) that call
  // for a quarantine hold it until the disables and deletes were sent (the deletion guard bounds them); then the
  // cycle stops. An interruption or an auth failure (StopCycle) still stops everything at once.
  const run = async (phases: ReturnType<typeof phasesOf>): Promise<ApplyEnd | undefined> => {
    let deferred: ApplyEnd | undefined;
    for (const { phase, operations } of phases) {
      if (deferred && phase !== deprovisionPhase) continue;
      const ended = await runPhase(ctx, operations, limits, phase === deprovisionPhase ? interrupted : stop);
      if (ended?.kind === 'quarantine' && phase < deprovisionPhase) deferred = ended;
      else if (ended) return ended;
    }
    return deferred ?? stop();
  };
  // Groups are created after the users they contain, so that a create can carry its first members (execute-groups.ts).
  const { upserts, groupCreates } = groupCreatesWithFirstMembers(plan);
  const ended = await run(phasesOf([...plan.records, ...upserts, ...groupCreates, ...plan.memberships, ...plan.deprovisions, ...plan.groupRetirements]));
  if (ended) return ended;
  for (let pass = 1; pass <= retryPasses && ctx.retry.length > 0; pass++) {
    const phases = phasesOf(ctx.retry, asRetry);
    ctx.logger.info({ event: 'apply.retry', pass, operations: ctx.retry.length }, 'apply.retry');
    ctx.retry = [];
    const retried = await run(phases);
    if (retried) return retried;
  }
  return { kind: 'done' };
}
