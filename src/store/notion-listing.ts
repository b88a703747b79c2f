// Notion's listing as a cycle walks it (issue 14): each page goes into the scratch table `notion_listing`, and matching,
// drift repair and the unaccounted check read back only the rows they ask for, so that no cycle holds the whole
// listing. Emptied before a listing and once the cycle's preparation is done with it.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { chunksOf as chunks } from './chunks.js';
import { inIds, textArray } from './id-array.js';
import type { LinkObjectType } from './links.js';
import { rowsOf } from './raw-rows.js';
import { links, notionListing } from './schema.js';

/** One listed Notion object: its matching keys (lower-cased), what the unaccounted check asks of it, and the resource as answered. */
export interface ListedObject {
  notionId: string;
  /** Lower-cased userName (users) or displayName (groups). */
  matchName: string;
  /** Users: every email value, lower-cased; groups: none. */
  emails: readonly string[];
  active: boolean;
  /** Users: a workspace owner. */
  owner: boolean;
  resource: Record<string, unknown>;
}


// Postgres text and jsonb cannot hold NUL (U+0000): one in a hand-made Notion name must not fail the cycle's listing,
// so it is stored as U+FFFD, in the columns and in the resource alike (matching keys from Entra never hold NUL). A page
// travels as JSON, whose escapes `storableJson` replaces; `storable` serves the protected userNames compared with it.
const storable = (text: string): string => text.replaceAll('\u0000', '\uFFFD');
// In JSON text every backslash starts an escape: a `\u0000` escape is one preceded by an even run of backslashes.
const storableJson = (value: unknown): string => JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');

/** Empties the target's listing. */
export async function clearNotionListing(db: Queryable, target: string): Promise<void> {
  await db.delete(notionListing).where(eq(notionListing.target, target));
}

/**
 * Writes one page as one JSON parameter that Postgres takes apart (`jsonb_array_elements`): one parameter for the page,
 * and no array-literal quoting of every resource's JSON (a tenth of a 100,000-user spool's time went into it). An
 * object already listed keeps its first copy. Returns how many of the page's objects were new: a walk that met an
 * object twice is incomplete (scim/listing.ts).
 */
export async function writeNotionListingPage(db: Queryable, target: string, objectType: LinkObjectType, objects: readonly ListedObject[]): Promise<number> {
  if (objects.length === 0) return 0;
  const page = objects.map((o) => ({ id: o.notionId, name: o.matchName, emails: o.emails, active: o.active, owner: o.owner, resource: o.resource }));
  const rows = await rowsOf<{ notionId: string }>(db, sql`
    insert into ${notionListing} (target, object_type, notion_id, match_name, emails, active, owner, resource)
    select ${target}::text, ${objectType}::text, listed->>'id', listed->>'name', array(select jsonb_array_elements_text(listed->'emails')),
      (listed->>'active')::boolean, (listed->>'owner')::boolean, listed->'resource'
    from jsonb_array_elements(${storableJson(page)}::jsonb) as listed
    on conflict (target, object_type, notion_id) do nothing
    returning notion_id as "notionId"`);
  return rows.length;
}

const ofType = (target: string, objectType: LinkObjectType) => and(eq(notionListing.target, target), eq(notionListing.objectType, objectType));

/** The listed objects whose match name or one of whose emails is one of `keys` (lower-cased), each once. */
export async function readListedByKeys(db: Queryable, target: string, objectType: LinkObjectType, keys: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  type Found = { notionId: string; resource: unknown };
  const byName = (chunk: string[]): Promise<Found[]> => db.select({ notionId: notionListing.notionId, resource: notionListing.resource }).from(notionListing)
    .where(and(ofType(target, objectType), inIds(sql`${notionListing.matchName}`, chunk)));
  // One GIN lookup per key. `emails && keys` is estimated to match most of the table whatever the keys, and planned as
  // a scan of every row (2.4 s per 1,000 keys at 100,000 listed users; 20 ms this way).
  const byEmail = (chunk: string[]): Promise<Found[]> => rowsOf<Found>(db, sql`
    select listed.notion_id as "notionId", listed.resource
    from unnest(${textArray(chunk)}) as key(value)
    cross join lateral (
      select notion_id, resource from ${notionListing}
      where target = ${target} and object_type = ${objectType} and emails @> array[key.value]) listed`);
  // Two queries, not one with `or`: each then uses its own index (match name, emails), where `or` scanned the table.
  for (const chunk of chunks([...new Set(keys)])) {
    for (const by of objectType === 'user' ? [byName, byEmail] : [byName]) {
      // A user reached by two keys, or by name and email, is one candidate, not two.
      for (const row of await by(chunk)) found.set(row.notionId, row.resource as Record<string, unknown>);
    }
  }
  return [...found.values()];
}

/** Fresh statistics once a listing is written: without them the planner guesses a few rows and scans the table. */
export async function analyzeNotionListing(db: Queryable): Promise<void> {
  await db.execute(sql`analyze notion_listing`);
}

/** The listed objects of these Notion ids, by id; an id the listing did not hold is absent. */
export async function readListedByIds(db: Queryable, target: string, objectType: LinkObjectType, notionIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const chunk of chunks([...new Set(notionIds)])) {
    const rows = await db.select({ notionId: notionListing.notionId, resource: notionListing.resource }).from(notionListing)
      .where(and(ofType(target, objectType), inIds(sql`${notionListing.notionId}`, chunk)));
    for (const row of rows) found.set(row.notionId, row.resource as Record<string, unknown>);
  }
  return found;
}

/** Marks these listed users accounted for: an in-scope Entra user reaches them. */
export async function markListedUsersAccounted(db: Queryable, target: string, notionIds: readonly string[]): Promise<void> {
  for (const chunk of chunks([...new Set(notionIds)])) {
    await db.update(notionListing).set({ accounted: true }).where(and(ofType(target, 'user'), inIds(sql`${notionListing.notionId}`, chunk)));
  }
}

export interface UnaccountedQuery {
  /** Lower-cased userNames never changed or removed. */
  protectedUserNames: readonly string[];
  /** Link states whose holding of a Notion id accounts for it (a live link, or one already waiting for a decision). */
  heldIn: readonly string[];
}

/** Where a page of unaccounted users starts (after this Notion id), and how many it holds at most. */
export interface UnaccountedPage {
  afterNotionId?: string;
  limit: number;
}

/**
 * The listed users no one accounts for: active, not marked accounted, not a workspace owner, not protected, and not
 * held by a link in one of `heldIn` states. By Notion id; a page of them when `page` is given, else all.
 */
export async function readUnaccountedListedUsers(db: Queryable, target: string, query: UnaccountedQuery, page?: UnaccountedPage): Promise<Array<{ notionId: string; userName: string }>> {
  // Said of the links too, which the planner does not infer: a merge anti-join then starts both scans at the page, where
  // it read every link from the first (the links a recording adds grow with each page: 100,000 members took 16 s).
  const after = (column: SQL) => (page?.afterNotionId === undefined ? sql`` : sql`and ${column} > ${page.afterNotionId}`);
  return rowsOf<{ notionId: string; userName: string }>(db, sql`
    select listed.notion_id as "notionId", listed.resource->>'userName' as "userName"
    from ${notionListing} listed
    where listed.target = ${target} and listed.object_type = 'user' and listed.active and not listed.accounted and not listed.owner
      and not (${inIds(sql`listed.match_name`, query.protectedUserNames.map(storable))})
      and not exists (
        select 1 from ${links} held
        where held.target = listed.target and held.object_type = 'user' and held.notion_id = listed.notion_id
          and ${inIds(sql`held.state`, query.heldIn)} ${after(sql`held.notion_id`)})
      ${after(sql`listed.notion_id`)}
    order by listed.notion_id
    ${page ? sql`limit ${page.limit}` : sql``}`);
}
