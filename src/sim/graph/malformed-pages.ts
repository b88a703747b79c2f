// Malformed 200 answers on demand (fault kind `page`): the real page is built, then bent into a shape Graph does
// not document, so a test can show that the reader fails closed on it (issue 11, defects 1 and 3).

export const MALFORMED_PAGE_SHAPES = [
  /** `value` is null. */
  'value-null',
  /** No `value` property. */
  'value-missing',
  /** `value` is an object, not an array. */
  'value-object',
  /** A `null` item is added to `value`. */
  'item-not-object',
  /** The first item loses its `id` (an item without id is added when the page is empty). */
  'item-without-id',
  /** The first item is marked `@removed` with the reason "archived". */
  'removed-unknown-reason',
  /** Every `members@delta` entry loses its `id` (a group delta page gets one such entry if it has none). */
  'member-without-id',
  /** A string is added to the first group's `members@delta`. */
  'member-not-object',
  /** Neither `@odata.nextLink` nor `@odata.deltaLink`. */
  'no-links',
  /** The page's link points to another host (https://graph.example.invalid). */
  'link-off-host',
] as const;

export type MalformedPageShape = (typeof MALFORMED_PAGE_SHAPES)[number];

type Json = Record<string, unknown>;

export function isMalformedPageShape(value: unknown): value is MalformedPageShape {
  return typeof value === 'string' && (MALFORMED_PAGE_SHAPES as readonly string[]).includes(value);
}

/** Returns a bent copy of a collection answer body (`{ value, @odata.nextLink | @odata.deltaLink }`). */
export function malformPage(body: Json, shape: MalformedPageShape): Json {
  const page: Json = { ...body };
  const items = Array.isArray(body.value) ? (body.value as Json[]).map((item) => ({ ...item })) : [];
  page.value = items;
  switch (shape) {
    case 'value-null': page.value = null; break;
    case 'value-missing': delete page.value; break;
    case 'value-object': page.value = { ...items }; break;
    case 'item-not-object': items.push(null as unknown as Json); break;
    case 'item-without-id':
      if (items[0]) delete items[0].id;
      else items.push({ displayName: 'An object without id' });
      break;
    case 'removed-unknown-reason':
      if (items[0]) items[0] = { id: items[0].id, '@removed': { reason: 'archived' } };
      else items.push({ id: '00000000-0000-0000-0000-00000000dead', '@removed': { reason: 'archived' } });
      break;
    case 'member-without-id': {
      const groups = items.filter((item) => Array.isArray(item['members@delta']));
      for (const group of groups) {
        group['members@delta'] = (group['members@delta'] as Json[]).map(({ id: _id, ...rest }) => rest);
      }
      if (groups.length === 0 && items[0]) items[0]['members@delta'] = [{ '@odata.type': '#microsoft.graph.user' }];
      break;
    }
    case 'member-not-object':
      if (items[0]) items[0]['members@delta'] = [...(Array.isArray(items[0]['members@delta']) ? items[0]['members@delta'] as unknown[] : []), 'not-an-object'];
      break;
    case 'no-links':
      delete page['@odata.nextLink'];
      delete page['@odata.deltaLink'];
      break;
    case 'link-off-host':
      for (const name of ['@odata.nextLink', '@odata.deltaLink']) {
        if (typeof page[name] !== 'string') continue;
        const url = new URL(page[name] as string);
        url.protocol = 'https:';
        url.host = 'graph.example.invalid';
        page[name] = url.href;
      }
      break;
  }
  return page;
}
