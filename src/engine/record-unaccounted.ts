// Records the members an initial cycle could not account for: a link each (state `unaccounted`, waiting for a
// decision), a provisioning-log warning each, one loud log line, and the count in the cycle's counts. Read from
// Notion's listing in the store a page at a time: as one array, 100,000 members none of whom Entra accounts for held
// 16 MB of V8 heap through the cycle's apply (bench/unaccounted.bench.js).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observe/index.js';
import { appendLogEntries, saveLinks, type Database } from '../store/index.js';
import { unaccountedMemberPages } from './notion-listing.js';
import { byUserName, unaccountedMessage, unaccountedReason, unaccountedSourceId, type UnaccountedMember } from './unaccounted.js';

const sampleSize = 20;

/** Records the listing's unaccounted members (see readUnaccountedMembers); the listing must still be in the store. */
export async function recordUnaccountedMembers(
  base: { db: Database; target: string; cycleId: string; logger: Logger; now: Date },
  protectedUserNames: ReadonlySet<string>,
  counts: Record<string, number>,
): Promise<void> {
  const { db, target, cycleId, now } = base;
  let count = 0;
  let sample: UnaccountedMember[] = [];
  await db.transaction(async (tx) => {
    // A statement per page of links and of log rows, not a statement per member: 10,000 members took 6.4 s on PGlite
    // one link at a time (bench/unaccounted.bench.js).
    for await (const page of unaccountedMemberPages(tx, target, protectedUserNames)) {
      await saveLinks(tx, target, page.map((member) => ({
        objectType: 'user', sourceId: unaccountedSourceId(member.notionId), notionId: member.notionId, state: 'unaccounted', applied: { userName: member.userName, active: true },
      })), now);
      await appendLogEntries(tx, page.map((member) => ({
        target, cycleId, changeId: randomUUID(), at: now, objectType: 'user', sourceId: unaccountedSourceId(member.notionId), notionId: member.notionId,
        displayName: member.userName, action: 'unaccounted', status: 'warning', reason: unaccountedReason,
      })));
      count += page.length;
      sample = firstByUserName(sample, page);
    }
  });
  if (count === 0) return;
  counts['unaccounted.warning'] = (counts['unaccounted.warning'] ?? 0) + count;
  base.logger.warn(
    { event: 'initial.unaccounted-members', count, sample: sample.map((m) => m.userName), reason: unaccountedMessage(count) },
    'initial.unaccounted-members',
  );
}

/** The first `sampleSize` members by userName, as `plan` and `logs` list them, of those so far and a new page. */
function firstByUserName(sample: UnaccountedMember[], page: readonly UnaccountedMember[]): UnaccountedMember[] {
  const last = sample.length < sampleSize ? undefined : sample[sample.length - 1];
  const contenders = last === undefined ? page : page.filter((member) => byUserName(member, last) < 0);
  return contenders.length === 0 ? sample : [...sample, ...contenders].sort(byUserName).slice(0, sampleSize);
}
