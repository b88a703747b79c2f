// Reads one Graph delta stream (users or groups) into the mirror, page by page. Each page and its position
// (nextLink checkpoint, or the final deltaLink) are written in one transaction (ARCHITECTURE.md principle 4),
// so a run killed after page k continues from page k+1 and ends with the same mirror.
import type { Logger } from '../observe/index.js';
import {
  readWatermark, saveWatermark, sweepUnseen, writeMemberships, writeSourceObjects,
  type Database, type DeltaStream, type WatermarkRow,
} from '../store/index.js';
import { toMembershipWrites, toObjectWrite, type OnCleaned } from './delta-items.js';
import { GraphReadError } from './graph-errors.js';
import type { GraphPage, GraphQuery, GraphReader } from './graph-reader.js';

export interface StreamContext {
  graph: GraphReader;
  db: Database;
  target: string;
  logger: Logger;
  /** Called with the number of objects on each page written. */
  onPage?: (objects: number) => void;
  /**
   * Runs one mirror write; the reads of one import share it so that their transactions run one at a time. Two page
   * transactions at once would lock the same user rows in different orders (a groups page marks its members dirty, a
   * users page upserts them): a deadlock on Postgres. Without it, writes run as they come.
   */
  serialize?: <T>(write: () => Promise<T>) => Promise<T>;
}

export interface StreamReadResult {
  /** This read started (or continued) a full read, with mark and sweep at its end. */
  fullRead: boolean;
  changedObjects: number;
  changedMemberships: number;
  /** The read generation rows seen from now on carry. */
  generation: number;
}

/**
 * Continues a checkpoint, else follows the deltaLink, else starts a full read. `full` forces a full read
 * (a checkpoint of a full read under way is still continued). A 410 or syncStateNotFound answer means the
 * token is gone: one full read starts instead, logged; a second one in the same run is an error.
 */
export async function readDeltaStream(context: StreamContext, stream: DeltaStream, options: { full: boolean; select: string[] }): Promise<StreamReadResult> {
  const { graph, db, target, logger } = context;
  const watermark = await readWatermark(db, target, stream);
  const result: StreamReadResult = { fullRead: false, changedObjects: 0, changedMemberships: 0, generation: watermark?.readGeneration ?? 0 };
  let url = '';
  let query: GraphQuery | undefined;
  const startFullRead = (): void => {
    result.fullRead = true;
    result.generation += 1;
    url = `/${stream}/delta`;
    query = { select: options.select };
  };
  if (watermark?.nextLink && (!options.full || watermark.fullRead)) {
    url = watermark.nextLink;
    result.fullRead = watermark.fullRead;
  } else if (watermark?.deltaLink && !options.full) {
    url = watermark.deltaLink;
  } else {
    startFullRead();
  }
  let resynced = false;
  const onCleaned = cleanedReporter(logger, stream);
  const serialize = context.serialize ?? ((write) => write());
  const fetchPage = async (): Promise<GraphPage> => {
    for (;;) {
      try {
        return await graph.getDeltaPage(url, query);
      } catch (error) {
        if (!(error instanceof GraphReadError) || error.kind !== 'resync') throw error;
        if (resynced) throw new GraphReadError('resync', `${stream} delta asked for a full re-read twice in one run: ${error.message}`, error.status, error.code);
        resynced = true;
        logger.warn({ event: 'entra.delta.resync', stream, status: error.status, code: error.code }, 'delta token expired; full re-read');
        startFullRead();
      }
    }
  };
  /** One page and its position, in one transaction (see the file's head). */
  const writePage = (position: GraphPage, generation: number, fullRead: boolean): Promise<void> =>
    serialize(() => db.transaction(async (tx) => {
      const objects = position.value.map((item) => toObjectWrite(item, onCleaned));
      result.changedObjects += await writeSourceObjects(tx, target, stream, objects, generation);
      if (stream === 'groups') {
        result.changedMemberships += await writeMemberships(tx, target, position.value.flatMap(toMembershipWrites), generation);
      }
      if (position.deltaLink) {
        if (fullRead) {
          const swept = await sweepUnseen(tx, target, stream, generation);
          result.changedObjects += swept.objects;
          result.changedMemberships += swept.memberships;
        }
        await saveWatermark(tx, target, stream, { deltaLink: position.deltaLink, nextLink: null, fullRead: false, readGeneration: generation });
      } else {
        // The page parser guarantees a nextLink when there is no deltaLink.
        await saveWatermark(tx, target, stream, {
          deltaLink: watermark?.deltaLink ?? null, nextLink: position.nextLink, fullRead, readGeneration: generation,
        });
      }
    }));
  let page = await fetchPage();
  // The next page is asked for while this one is written (its link is known now); nothing of it is written before
  // this page's transaction, with its checkpoint, commits. A read ahead is settled before the read returns or throws,
  // so that no request of it outlives it (the next import, or a fault a test injects, would meet the answer).
  let next: Promise<GraphPage> | undefined;
  try {
    for (;;) {
      const position = page;
      // What this page is written with, taken before the next request (a resync answer there starts a new read).
      const { generation, fullRead } = result;
      next = undefined;
      if (!position.deltaLink) {
        url = position.nextLink as string;
        query = undefined;
        next = fetchPage();
        next.catch(() => undefined);
      }
      await writePage(position, generation, fullRead);
      context.onPage?.(position.value.length);
      if (!next) return result;
      page = await next;
    }
  } finally {
    await next?.catch(() => undefined);
  }
}

/**
 * The small-scope path's start: a deltaLink for "from now on" (`$deltatoken=latest`, no objects) becomes the
 * stream's watermark with a new read generation; the objects themselves are then read by id.
 */
export async function startStreamFromNow(context: StreamContext, stream: DeltaStream, options: { select: string[] }): Promise<StreamReadResult> {
  const watermark: WatermarkRow | undefined = await readWatermark(context.db, context.target, stream);
  const generation = (watermark?.readGeneration ?? 0) + 1;
  const page = await context.graph.getDeltaPage(`/${stream}/delta?$deltatoken=latest`, { select: options.select });
  if (!page.deltaLink) throw new GraphReadError('malformed', `${stream} delta with $deltatoken=latest returned no deltaLink`);
  await saveWatermark(context.db, context.target, stream, { deltaLink: page.deltaLink, nextLink: null, fullRead: false, readGeneration: generation });
  return { fullRead: true, changedObjects: 0, changedMemberships: 0, generation };
}

/** One bad value must not stop the cycle (issue 11, defect 5): the object is stored cleaned and named in a warning. */
export function cleanedReporter(logger: Logger, stream: DeltaStream): OnCleaned {
  return (id, attributes) => logger.warn(
    { event: 'entra.attribute.cleaned', stream, id, attributes },
    'removed control characters the store cannot hold from Graph attributes',
  );
}
