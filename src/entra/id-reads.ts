// Reads named users with `users/delta?$filter=id eq '…' or …` in batches of 50 (Graph's limit for a delta
// filter, reference §1.1), for the small-scope path and for in-scope users the mirror has no fresh row for.
import { writeSourceObjects, type Database, type MirrorObjectWrite } from '../store/index.js';
import { toObjectWrite, type OnCleaned } from './delta-items.js';
import type { GraphReader } from './graph-reader.js';

export const MAX_IDS_PER_DELTA_FILTER = 50;

/**
 * Each batch is one initial delta round (its deltaLink is dropped: the stream's own deltaLink tracks changes),
 * written in one transaction with `generation`, so a batch is all or nothing. Ids not returned (deleted, or not
 * replicated yet) are left as they are and asked for again next time. Returns how many mirror rows changed.
 */
export async function readUsersById(
  graph: GraphReader, db: Database, target: string, ids: string[],
  options: { select: string[]; generation: number; onBatch?: (count: number) => void; onCleaned?: OnCleaned },
): Promise<number> {
  let changed = 0;
  for (let index = 0; index < ids.length; index += MAX_IDS_PER_DELTA_FILTER) {
    const batch = ids.slice(index, index + MAX_IDS_PER_DELTA_FILTER);
    const filter = batch.map((id) => `id eq '${id.replaceAll("'", "''")}'`).join(' or ');
    const objects: MirrorObjectWrite[] = [];
    let page = await graph.getDeltaPage('/users/delta', { select: options.select, filter });
    for (;;) {
      objects.push(...page.value.map((item) => toObjectWrite(item, options.onCleaned)));
      if (!page.nextLink) break;
      page = await graph.getDeltaPage(page.nextLink);
    }
    changed += await db.transaction((tx) => writeSourceObjects(tx, target, 'users', objects, options.generation));
    options.onBatch?.(batch.length);
  }
  return changed;
}
