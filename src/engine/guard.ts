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
  const counted = operations.filter((op) => isDeprovision(op) && op.kind !== 'retire-group' && !settings.approved.has(keyOf(op)));
  const overCount = counted.length > settings.threshold;
  const overShare = settings.linkedUsers > 0 && (counted.length * 100) / settings.linkedUsers > settings.thresholdPercent;
  if (settings.force || counted.length === 0 || (!overCount && !overShare)) return { operations: [...operations], staged: 0 };
  const limit = overCount
    ? `${counted.length} deprovisions exceed the threshold of ${settings.threshold}`
    : `${counted.length} deprovisions are more than ${settings.thresholdPercent}% of ${settings.linkedUsers} linked users`;
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
