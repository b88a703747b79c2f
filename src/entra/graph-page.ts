// Narrows one Graph collection answer (unknown JSON) into a page, or refuses it. Fail closed (ARCHITECTURE.md
// principle 7): a page that is not exactly the documented shape must never be read as "these objects are gone",
// so anything else throws a `malformed` GraphReadError and the read stops with the mirror as it was.
import { GraphReadError } from './graph-errors.js';

export type GraphObject = Record<string, unknown>;

export interface GraphPage {
  value: GraphObject[];
  nextLink: string | null;
  deltaLink: string | null;
}

/**
 * `delta`: a delta round's page ends with exactly one of `@odata.nextLink` or `@odata.deltaLink`; a list page
 * (appRoleAssignedTo, memberOf) may carry a nextLink and never a deltaLink (Graph docs "Paging Microsoft Graph
 * data" and the delta query overview). Either link must be a URL on the Graph endpoint we asked (same scheme,
 * host and port): a link elsewhere would send our token there. Every item must be an object with a string `id`.
 */
export function parseGraphPage(body: unknown, options: { delta: boolean; graphOrigin: string; what: string }): GraphPage {
  const refuse = (problem: string): GraphReadError => new GraphReadError('malformed', `${options.what}: ${problem}; the read stops (nothing is removed on a malformed page)`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw refuse('the answer is not a JSON object');
  const page = body as GraphObject;
  if (!Array.isArray(page.value)) throw refuse(`the page's "value" is ${describe(page.value)}, not an array`);
  const value = page.value as unknown[];
  value.forEach((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw refuse(`item ${index} is ${describe(item)}, not an object`);
    if (typeof (item as GraphObject).id !== 'string' || (item as GraphObject).id === '') throw refuse(`item ${index} has no string "id"`);
  });
  const nextLink = linkOf(page, '@odata.nextLink', options.graphOrigin, refuse);
  const deltaLink = linkOf(page, '@odata.deltaLink', options.graphOrigin, refuse);
  if (options.delta && (nextLink === null) === (deltaLink === null)) {
    throw refuse(nextLink === null ? 'the delta page has neither @odata.nextLink nor @odata.deltaLink' : 'the delta page has both @odata.nextLink and @odata.deltaLink');
  }
  if (!options.delta && deltaLink !== null) throw refuse('a list page carries an @odata.deltaLink');
  return { value: value as GraphObject[], nextLink, deltaLink };
}

function linkOf(page: GraphObject, name: string, graphOrigin: string, refuse: (problem: string) => GraphReadError): string | null {
  if (!(name in page)) return null;
  const link = page[name];
  if (typeof link !== 'string') throw refuse(`${name} is ${describe(link)}, not a URL`);
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw refuse(`${name} is not a URL`);
  }
  if (url.origin !== graphOrigin) throw refuse(`${name} points to ${url.origin}, not to the Graph endpoint ${graphOrigin}`);
  return link;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
