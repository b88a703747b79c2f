// Records the members an initial cycle could not account for: a link each (state `unaccounted`, waiting for a
// decision), a provisioning-log warning each, one loud log line, and the count in the cycle's counts.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observe/index.js';
import { appendLogEntries, chunksOf, saveLinks, type Database } from '../store/index.js';
import { unaccountedMessage, unaccountedReason, unaccountedSourceId, type UnaccountedMember } from './unaccounted.js';

const sampleSize = 20;

export async function recordUnaccountedMembers(
  base: { db: Database; target: string; cycleId: string; logger: Logger; now: Date },
  members: readonly UnaccountedMember[],
  counts: Record<string, number>,
): Promise<void> {
  const { db, target, cycleId, now } = base;
  await db.transaction(async (tx) => {
    // A statement per piece of links and of log rows (chunksOf's default), not a statement per member: 10,000 members
    // took 6.4 s on PGlite one link at a time (bench/unaccounted.bench.js).
    for (const chunk of chunksOf(members)) {
      await saveLinks(tx, target, chunk.map((member) => ({
        objectType: 'user', sourceId: unaccountedSourceId(member.notionId), notionId: member.notionId, state: 'unaccounted', applied: { userName: member.userName, active: true },
      })), now);
      await appendLogEntries(tx, chunk.map((member) => ({
        target, cycleId, changeId: randomUUID(), at: now, objectType: 'user', sourceId: unaccountedSourceId(member.notionId), notionId: member.notionId,
        displayName: member.userName, action: 'unaccounted', status: 'warning', reason: unaccountedReason,
      })));
    }
  });
  counts['unaccounted.warning'] = (counts['unaccounted.warning'] ?? 0) + members.length;
  base.logger.warn(
    { event: 'initial.unaccounted-members', count: members.length, sample: members.slice(0, sampleSize).map((m) => m.userName), reason: unaccountedMessage(members.length) },
    'initial.unaccounted-members',
  );
}
