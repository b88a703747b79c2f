// Actions taken by hand (approve, reject, reset): each changes the store and writes a provisioning-log row naming who
// took it, in one transaction, so that the log answers "who released these deletes" as well as "what the engine did".
import { userInfo } from 'node:os';
import {
  analyzeTables, approveStagedDeprovisions, clearEscrows, clearWatermarks, decideUnaccountedLinks, findUnaccountedMembers, keysetPages, markObjectsDirty, readEscrowedPage, readStagedPage,
  readTargetState, readUnaccountedPage, recordManualAction, recordManualActions, rejectStagedDeprovisions, updateTargetState, type Database, type LinkObjectType, type LinkPage,
} from '../store/index.js';

// A decision over everything staged (a mass deprovision the guard held), every unaccounted member (a large workspace
// after a lost store) or every escrow reads, decides and logs a page (keysetPages') at a time, in one transaction: none
// holds them all.
const objectTypes: readonly LinkObjectType[] = ['user', 'group'];

/** The pages of a decision, one type at a time by source id: each read after the one before is decided, so none comes twice. */
async function* decisionPages<T extends { sourceId: string }>(
  read: (page: LinkPage) => Promise<T[]>,
  types: readonly LinkObjectType[],
  sourceIds?: readonly string[],
): AsyncGenerator<{ objectType: LinkObjectType; page: T[] }> {
  for (const objectType of types) {
    const pages = keysetPages(
      ({ after, limit }) => read({ objectType, limit, ...(after === undefined ? {} : { afterSourceId: after }), ...(sourceIds ? { sourceIds } : {}) }),
      (row) => row.sourceId,
    );
    for await (const page of pages) yield { objectType, page };
  }
}

/** `approve <id>` of an object that holds no staged deprovision: nothing is decided, the caller reports a usage error. */
export class NotStagedError extends Error {
  constructor(readonly ids: string[]) {
    super(`${ids.map((id) => `"${id}"`).join(', ')} ${ids.length === 1 ? 'is' : 'are'} not staged for deletion; \`status\` lists the staged deletes`);
    this.name = 'NotStagedError';
  }
}

export interface StagedDecision {
  /** Entra ids; none: everything staged. */
  ids: readonly string[];
  reject: boolean;
  actor: string;
  /**
   * A named id that holds no staged deprovision: refused, nothing decided (`approve`, where the operator typed it), or
   * left out (the console, where the ids are the list the admin confirmed and one may have been decided meanwhile).
   */
  notStaged?: 'refuse' | 'leave out';
  /** Where it was decided, for the log's reason ("in the console"); the CLI's need not say. */
  where?: string;
}

/** Approves (or rejects) the staged deprovisions of the given Entra ids, or all of them; returns how many were decided. */
export async function decideStagedDeletes(db: Database, target: string, decision: StagedDecision): Promise<number> {
  return db.transaction(async (tx) => {
    let named = decision.ids.length > 0 ? decision.ids : undefined;
    if (named) {
      const staged = new Set<string>();
      for (const objectType of objectTypes) for (const row of await readStagedPage(tx, target, { objectType, limit: named.length, sourceIds: named })) staged.add(row.sourceId);
      const unknown = named.filter((id) => !staged.has(id));
      if (unknown.length > 0 && decision.notStaged !== 'leave out') throw new NotStagedError(unknown);
      named = named.filter((id) => staged.has(id));
      // Every id named was decided meanwhile: nothing is left to decide (and an empty list is not "everything").
      if (named.length === 0) return 0;
    }
    // Deciding everything, fresh statistics first: what was staged or recorded in bulk since the links' last analysis
    // (a first cycle records its unaccounted members after it) left the planner reading every link for each page's
    // update (150 ms a page at 66,000 links on PGlite; 55 ms analysed).
    if (!named) await analyzeTables(tx, 'links');
    const where = decision.where ? ` ${decision.where}` : '';
    let decided = 0;
    for await (const { objectType, page } of decisionPages((p) => readStagedPage(tx, target, p), objectTypes, named)) {
      const only = { objectType, sourceIds: page.map((s) => s.sourceId) };
      if (decision.reject) await rejectStagedDeprovisions(tx, target, only);
      else await approveStagedDeprovisions(tx, target, only);
      await recordManualActions(tx, page.map((object) => ({
        target,
        actor: decision.actor,
        action: decision.reject ? 'reject' : 'approve',
        objectType: object.objectType === 'group' ? 'group' : 'user',
        sourceId: object.sourceId,
        notionId: object.notionId,
        displayName: object.name ?? null,
        reason: decision.reject
          ? `staged ${object.action} rejected${where}: left as it is in Notion and no longer managed`
          : `staged ${object.action} approved${where}: the next cycle applies it`,
      })));
      decided += page.length;
    }
    return decided;
  });
}

/** `approve --unaccounted <id>` of a member that is not waiting for a decision. */
export class NotUnaccountedError extends Error {
  constructor(readonly ids: string[]) {
    super(`${ids.map((id) => `"${id}"`).join(', ')} ${ids.length === 1 ? 'is' : 'are'} not an unaccounted Notion member; \`logs --action unaccounted\` lists them`);
    this.name = 'NotUnaccountedError';
  }
}

/**
 * `approve --unaccounted [ids]` (Notion ids or userNames; default all): approved members become staged deprovisions to
 * DEPROVISION_ACTION, already approved, so the next cycle applies them through the guard; rejected ones are released
 * (left as they are, never reported again). Each decision is a provisioning-log row naming the actor. Returns how many
 * were decided.
 */
export async function decideUnaccountedMembers(
  db: Database,
  target: string,
  decision: { ids: readonly string[]; reject: boolean; actor: string; deprovisionAction: 'disable' | 'delete' | 'none' },
): Promise<number> {
  if (!decision.reject && decision.deprovisionAction === 'none') throw new Error('DEPROVISION_ACTION is "none": nothing would deactivate unaccounted members');
  return db.transaction(async (tx) => {
    let chosen: string[] | undefined;
    if (decision.ids.length > 0) {
      const named = await findUnaccountedMembers(tx, target, decision.ids);
      const matches = (row: (typeof named)[number], id: string) => row.notionId === id || userNameOf(row.applied)?.toLowerCase() === id.toLowerCase();
      const unknown = decision.ids.filter((id) => !named.some((row) => matches(row, id)));
      if (unknown.length > 0) throw new NotUnaccountedError(unknown);
      chosen = named.map((row) => row.sourceId);
    }
    // Deciding everything: fresh statistics first, as for the staged deletes.
    if (!chosen) await analyzeTables(tx, 'links');
    const action = decision.deprovisionAction;
    let decided = 0;
    for await (const { page } of decisionPages((p) => readUnaccountedPage(tx, target, p), ['user'], chosen)) {
      await decideUnaccountedLinks(tx, target, page.map((row) => row.sourceId), decision.reject ? { reject: true } : { approve: action });
      await recordManualActions(tx, page.map((row) => ({
        target, actor: decision.actor, action: decision.reject ? 'reject' : 'approve', objectType: 'user', sourceId: row.sourceId,
        notionId: row.notionId, displayName: userNameOf(row.applied) ?? null,
        reason: decision.reject
          ? 'unaccounted Notion member left as it is: not managed and not reported again'
          : `unaccounted Notion member approved for ${action}: the next cycle applies it`,
      })));
      decided += page.length;
    }
    return decided;
  });
}

const userNameOf = (applied: Record<string, unknown>): string | undefined => (typeof applied.userName === 'string' ? applied.userName : undefined);

/** `reset escrows`: every escrowed object is tried again in the next cycle; returns how many. */
export async function resetEscrows(db: Database, target: string, actor: string): Promise<number> {
  return db.transaction(async (tx) => {
    for await (const { page } of decisionPages((p) => readEscrowedPage(tx, target, p), objectTypes)) {
      await markObjectsDirty(tx, target, page);
      await recordManualActions(tx, page.map((object) => ({
        target, actor, action: 'reset-escrow', objectType: object.objectType === 'group' ? 'group' : 'user', sourceId: object.sourceId,
        displayName: object.name ?? null, reason: `escrow cleared after ${object.attempts} failed attempt(s); tried again in the next cycle`,
      })));
    }
    return clearEscrows(tx, target);
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
