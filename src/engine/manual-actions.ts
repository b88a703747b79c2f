// Actions taken by hand (approve, reject, reset): each changes the store and writes a provisioning-log row naming who
// took it, in one transaction, so that the log answers "who released these deletes" as well as "what the engine did".
import { userInfo } from 'node:os';
import {
  approveStagedDeprovisions, clearEscrows, clearWatermarks, decideUnaccountedLinks, listEscrowedObjects, listStagedDeletes, markObjectsDirty, readTargetState,
  readUnaccountedMembers, recordManualAction, rejectStagedDeprovisions, updateTargetState, type Database, type StagedDelete,
} from '../store/index.js';

const everything = 1_000_000;

/** `approve <id>` of an object that holds no staged deprovision: nothing is decided, the caller reports a usage error. */
export class NotStagedError extends Error {
  constructor(readonly ids: string[]) {
    super(`${ids.map((id) => `"${id}"`).join(', ')} ${ids.length === 1 ? 'is' : 'are'} not staged for deletion; \`status\` lists the staged deletes`);
    this.name = 'NotStagedError';
  }
}

/** Approves (or rejects) the staged deprovisions of the given Entra ids, or all of them; returns the objects decided. */
export async function decideStagedDeletes(
  db: Database,
  target: string,
  decision: { ids: readonly string[]; reject: boolean; actor: string },
): Promise<StagedDelete[]> {
  return db.transaction(async (tx) => {
    const staged = await listStagedDeletes(tx, target, everything);
    const unknown = decision.ids.filter((id) => !staged.some((s) => s.sourceId === id));
    if (unknown.length > 0) throw new NotStagedError(unknown);
    const chosen = decision.ids.length === 0 ? staged : staged.filter((s) => decision.ids.includes(s.sourceId));
    if (chosen.length === 0) return [];
    const ids = chosen.map((s) => s.sourceId);
    if (decision.reject) await rejectStagedDeprovisions(tx, target, ids);
    else await approveStagedDeprovisions(tx, target, ids);
    for (const object of chosen) {
      await recordManualAction(tx, {
        target,
        actor: decision.actor,
        action: decision.reject ? 'reject' : 'approve',
        objectType: object.objectType === 'group' ? 'group' : 'user',
        sourceId: object.sourceId,
        notionId: object.notionId,
        displayName: object.name ?? null,
        reason: decision.reject
          ? `staged ${object.action} rejected: left as it is in Notion and no longer managed`
          : `staged ${object.action} approved: the next cycle applies it`,
      });
    }
    return chosen;
  });
}

/** `approve --unaccounted <id>` of a member that is not waiting for a decision. */
export class NotUnaccountedError extends Error {
  constructor(readonly ids: string[]) {
    super(`${ids.map((id) => `"${id}"`).join(', ')} ${ids.length === 1 ? 'is' : 'are'} not an unaccounted Notion member; \`logs --action unaccounted\` lists them`);
    this.name = 'NotUnaccountedError';
  }
}

export interface DecidedMember {
  notionId: string;
  userName: string | undefined;
}

/**
 * `approve --unaccounted [ids]` (Notion ids or userNames; default all): approved members become staged deprovisions to
 * DEPROVISION_ACTION, already approved, so the next cycle applies them through the guard; rejected ones are released
 * (left as they are, never reported again). Each decision is a provisioning-log row naming the actor.
 */
export async function decideUnaccountedMembers(
  db: Database,
  target: string,
  decision: { ids: readonly string[]; reject: boolean; actor: string; deprovisionAction: 'disable' | 'delete' | 'none' },
): Promise<DecidedMember[]> {
  if (!decision.reject && decision.deprovisionAction === 'none') throw new Error('DEPROVISION_ACTION is "none": nothing would deactivate unaccounted members');
  return db.transaction(async (tx) => {
    const waiting = await readUnaccountedMembers(tx, target);
    const nameOf = (row: (typeof waiting)[number]) => (typeof row.applied.userName === 'string' ? row.applied.userName : undefined);
    const matches = (row: (typeof waiting)[number], id: string) => row.notionId === id || nameOf(row)?.toLowerCase() === id.toLowerCase();
    const unknown = decision.ids.filter((id) => !waiting.some((row) => matches(row, id)));
    if (unknown.length > 0) throw new NotUnaccountedError(unknown);
    const chosen = decision.ids.length === 0 ? waiting : waiting.filter((row) => decision.ids.some((id) => matches(row, id)));
    const action = decision.deprovisionAction;
    await decideUnaccountedLinks(tx, target, chosen.map((row) => row.sourceId), decision.reject ? { reject: true } : { approve: action });
    for (const row of chosen) {
      await recordManualAction(tx, {
        target, actor: decision.actor, action: decision.reject ? 'reject' : 'approve', objectType: 'user', sourceId: row.sourceId,
        notionId: row.notionId, displayName: nameOf(row) ?? null,
        reason: decision.reject
          ? 'unaccounted Notion member left as it is: not managed and not reported again'
          : `unaccounted Notion member approved for ${action}: the next cycle applies it`,
      });
    }
    return chosen.map((row) => ({ notionId: row.notionId ?? '', userName: nameOf(row) }));
  });
}

/** `reset escrows`: every escrowed object is tried again in the next cycle; returns how many. */
export async function resetEscrows(db: Database, target: string, actor: string): Promise<number> {
  return db.transaction(async (tx) => {
    const escrowed = await listEscrowedObjects(tx, target, everything);
    const cleared = await clearEscrows(tx, target);
    await markObjectsDirty(tx, target, escrowed);
    for (const object of escrowed) {
      await recordManualAction(tx, {
        target, actor, action: 'reset-escrow', objectType: object.objectType === 'group' ? 'group' : 'user', sourceId: object.sourceId,
        displayName: object.name ?? null, reason: `escrow cleared after ${object.attempts} failed attempt(s); tried again in the next cycle`,
      });
    }
    return cleared;
  });
}

/** `reset quarantine`: false (and nothing written) when the target is not quarantined. */
export async function resetQuarantine(db: Database, target: string, actor: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const state = await readTargetState(tx, target);
    if (!state?.quarantineReason) return false;
    await updateTargetState(tx, target, { quarantineReason: null, quarantineSince: null, quarantineNextAttemptAt: null, quarantineSeriesCount: 0, quarantineFingerprint: null });
    await recordManualAction(tx, { target, actor, action: 'reset-quarantine', objectType: 'target', sourceId: target, reason: `quarantine lifted (was: ${state.quarantineReason})` });
    return true;
  });
}

/** `reset watermarks`: the next cycle re-reads Graph and re-evaluates every object; returns the streams cleared. */
export async function resetWatermarks(db: Database, target: string, actor: string): Promise<number> {
  return db.transaction(async (tx) => {
    // Also forget the mapping fingerprint: the next cycle re-reads Graph and re-evaluates every object (Entra's restart).
    await updateTargetState(tx, target, { mappingFingerprint: null });
    const cleared = await clearWatermarks(tx, target);
    await recordManualAction(tx, { target, actor, action: 'reset-watermarks', objectType: 'target', sourceId: target, reason: `${cleared} Graph stream position(s) cleared; the next cycle re-reads Graph and re-evaluates everything` });
    return cleared;
  });
}

/** Who runs a command: `--actor`, else the OS user (a container user without a passwd entry has only a uid). */
export function actorOf(given: string | undefined): string {
  if (given !== undefined && given.trim() !== '') return given.trim();
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
