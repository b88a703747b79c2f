// Graph delta positions per target and stream. A watermark moves only in the transaction that writes the data it covers.
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { watermarks, type WatermarkRow } from './schema.js';

export type DeltaStream = 'users' | 'groups';

export async function readWatermark(db: Queryable, target: string, stream: DeltaStream): Promise<WatermarkRow | undefined> {
  const rows = await db.select().from(watermarks).where(and(eq(watermarks.target, target), eq(watermarks.stream, stream)));
  return rows[0];
}

export async function saveWatermark(
  db: Queryable,
  target: string,
  stream: DeltaStream,
  position: { deltaLink: string | null; nextLink: string | null; fullRead: boolean; readGeneration: number },
): Promise<void> {
  const now = new Date();
  await db
    .insert(watermarks)
    .values({ target, stream, ...position, updatedAt: now })
    .onConflictDoUpdate({ target: [watermarks.target, watermarks.stream], set: { ...position, updatedAt: now } });
}

/** `reset watermarks`: the next cycle re-reads Graph from scratch (links are kept). */
export async function clearWatermarks(db: Queryable, target: string): Promise<number> {
  const rows = await db.delete(watermarks).where(eq(watermarks.target, target)).returning({ stream: watermarks.stream });
  return rows.length;
}

/**
 * Watch mode (issue 15): moves a stream's deltaLink from `from` to `to` when a poll found nothing that matters,
 * only if nobody moved it meanwhile and no read is under way (one statement: a compare-and-set). True when moved.
 */
export async function advanceDeltaLink(db: Queryable, target: string, stream: DeltaStream, from: string, to: string): Promise<boolean> {
  const rows = await db
    .update(watermarks)
    .set({ deltaLink: to, updatedAt: new Date() })
    .where(and(eq(watermarks.target, target), eq(watermarks.stream, stream), eq(watermarks.deltaLink, from), isNull(watermarks.nextLink)))
    .returning({ stream: watermarks.stream });
  return rows.length > 0;
}
