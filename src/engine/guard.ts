// Safety before speed (pure): deprovisions are counted and gated before anything is sent (reference entra-provisioning §4.1).
import type { DeprovisionAction, Operation } from './model.js';

export interface GuardSettings {
  /** Deprovisions allowed per cycle (absolute), and as a share of linked users. */
  threshold: number;
  thresholdPercent: number;
  linkedUsers: number;
  /** `sync --force-deletes`: apply everything. */
  force: boolean;
  /** Set when nothing may be deprovisioned this cycle (incomplete import, held scope shrink): the reason. */
  hold: string | undefined;
  /** `${objectType}:${sourceId}` of staged deprovisions an operator approved. */
  approved: ReadonlySet<string>;
  /**
   * A windowed cycle plans its deprovisions in several plans: the number the whole cycle counts (its screen), so that
   * each plan stages or applies as the whole cycle would.
   */
  cycleDeprovisions?: number;
}

export interface GuardOutcome {
  operations: Operation[];
  staged: number;
  limit?: string;
}

const deprovisionKinds = new Set(['disable-user', 'delete-user', 'delete-group', 'retire-group']);

export const isDeprovision = (operation: Operation): boolean => deprovisionKinds.has(operation.kind);

function actionOf(operation: Operation): DeprovisionAction {
  return operation.kind === 'delete-user' || operation.kind === 'delete-group' ? 'delete' : 'disable';
}

const keyOf = (operation: Operation): string => `${operation.kind.endsWith('-user') ? 'user' : 'group'}:${operation.sourceId}`;

/** The deprovisions the guard counts: user disables and deletes and group deletes an operator has not approved. */
export function countedDeprovisions(operations: readonly Operation[], approved: ReadonlySet<string>): Operation[] {
  return operations.filter((op) => isDeprovision(op) && op.kind !== 'retire-group' && !approved.has(keyOf(op)));
}

/** Why `total` counted deprovisions are too many, or undefined when they may go. */
export function guardLimit(total: number, settings: Pick<GuardSettings, 'threshold' | 'thresholdPercent' | 'linkedUsers'>): string | undefined {
  if (total > settings.threshold) return `${total} deprovisions exceed the threshold of ${settings.threshold}`;
  if (settings.linkedUsers > 0 && (total * 100) / settings.linkedUsers > settings.thresholdPercent) {
    return `${total} deprovisions are more than ${settings.thresholdPercent}% of ${settings.linkedUsers} linked users`;
  }
  return undefined;
}

/**
 * Holds or stages deprovisions. User disables and deletes and group deletes count (Entra counts disables too), the
 * DELETE at the end of a group's grace period included. Emptying a group that left scope (`retire-group`) is held but
 * not counted: nothing is deleted, and a return within the grace period restores it as it was (plan-groups.ts).
 * Over the limit, ALL counted deprovisions are staged, not the first N: applying a partial batch is something an
 * admin cannot undo, and Entra's accidental-deletion prevention also holds the whole cycle's deletes.
 */
export function guardDeprovisions(operations: readonly Operation[], settings: GuardSettings): GuardOutcome {
  if (settings.hold !== undefined) {
    const hold = settings.hold;
    return {
      operations: operations.map((op) =>
        isDeprovision(op) ? { kind: 'skip', objectType: keyOf(op).startsWith('user') ? 'user' : 'group', sourceId: op.sourceId, name: op.name, reason: `${op.reason}; deprovisioning held: ${hold}` } : op,
      ),
      staged: 0,
    };
  }
  const counted = countedDeprovisions(operations, settings.approved);
  const limit = guardLimit(Math.max(counted.length, settings.cycleDeprovisions ?? 0), settings);
  if (settings.force || counted.length === 0 || limit === undefined) return { operations: [...operations], staged: 0 };
  const stage = new Set(counted);
  return {
    operations: operations.map((op) =>
      stage.has(op)
        ? { kind: 'stage', objectType: keyOf(op).startsWith('user') ? 'user' : 'group', sourceId: op.sourceId, name: op.name, reason: `${op.reason}; staged: ${limit}`, action: actionOf(op) }
        : op,
    ),
    staged: stage.size,
    limit,
  };
}
