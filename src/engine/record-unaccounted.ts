// Records the members an initial cycle could not account for: a link each (state `unaccounted`, waiting for a
// decision), a provisioning-log warning each, one loud log line, and the count in the cycle's counts.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observe/index.js';
import { appendLogEntries, saveLink, type Database } from '../store/index.js';
import { unaccountedMessage, unaccountedReason, unaccountedSourceId, type UnaccountedMember } from './unaccounted.js';

const sampleSize = 20;

export async function recordUnaccountedMembers(
  base: { db: Database; target: string; cycleId: string; logger: Logger; now: Date },
  members: readonly UnaccountedMember[],
  counts: Record<string, number>,
): Promise<void> {
  const { db, target, cycleId, now } = base;
  await db.transaction(async (tx) => {
    for (const member of members) {
      await saveLink(tx, target, { objectType: 'user', sourceId: unaccountedSourceId(member.notionId), notionId: member.notionId, state: 'unaccounted', applied: { userName: member.userName, active: true } }, now);
    }
    await appendLogEntries(tx, members.map((member) => ({
      target, cycleId, changeId: randomUUID(), at: now, objectType: 'user', sourceId: unaccountedSourceId(member.notionId), notionId: member.notionId,
      displayName: member.userName, action: 'unaccounted', status: 'warning', reason: unaccountedReason,
    })));
  });
  counts['unaccounted.warning'] = (counts['unaccounted.warning'] ?? 0) + members.length;
  base.logger.warn(
    { event: 'initial.unaccounted-members', count: members.length, sample: members.slice(0, sampleSize).map((m) => m.userName), reason: unaccountedMessage(members.length) },
    'initial.unaccounted-members',
  );
}
