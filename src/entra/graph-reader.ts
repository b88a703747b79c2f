// Reads from Microsoft Graph v1.0 through @microsoft/microsoft-graph-client: one object, one delta page, or the pages
// of a list, one at a time or all at once. Pages are checked against the documented shape before anyone reads them
// (graph-page.ts).
import { Client } from '@microsoft/microsoft-graph-client';
import type { Dispatcher } from 'undici';
import type { TokenProvider } from './credentials.js';
import { GraphReadError, toGraphReadError } from './graph-errors.js';
import { parseGraphPage, type GraphObject, type GraphPage } from './graph-page.js';
import { createGraphMiddleware, type RequestCounts } from './request-policy.js';

export type { GraphObject, GraphPage } from './graph-page.js';

export interface GraphQuery {
  select?: readonly string[];
  filter?: string;
  top?: number;
}

export interface GraphReader {
  /** GET one object; `pathOrUrl` is a path under /v1.0 or a full URL on the Graph host. Throws GraphReadError. */
  getObject(pathOrUrl: string, query?: GraphQuery): Promise<GraphObject>;
  /** GET one page of a delta round: exactly one of nextLink and deltaLink is set. */
  getDeltaPage(pathOrUrl: string, query?: GraphQuery): Promise<GraphPage>;
  /**
   * Follows `@odata.nextLink` to the end of a list, handing each page's items to `onPage` before the next page is
   * requested: only one page is held (issue 14). A page that fails or is malformed ends the walk with its error.
   */
  forEachPage(path: string, query: GraphQuery | undefined, onPage: (items: GraphObject[]) => Promise<void>): Promise<void>;
  /** Every item of a list (forEachPage, collected): for lists that are small by nature. */
  listAll(path: string, query?: GraphQuery): Promise<GraphObject[]>;
  counts(): RequestCounts;
}

export function createGraphReader(options: { graphBaseUrl: string; tokens: TokenProvider; dispatcher: Dispatcher; signal?: AbortSignal }): GraphReader {
  const counts: RequestCounts = { requests: 0, throttled: 0 };
  const baseUrl = options.graphBaseUrl.replace(/\/+$/, '');
  const graphOrigin = new URL(baseUrl).origin;
  const client = Client.initWithMiddleware({ middleware: createGraphMiddleware(options.tokens, counts, options.dispatcher, options.signal), baseUrl, defaultVersion: 'v1.0' });

  async function get(pathOrUrl: string, query: GraphQuery = {}): Promise<unknown> {
    let request = client.api(pathOrUrl);
    if (query.select && query.select.length > 0) request = request.select([...query.select]);
    // The Graph client puts `$filter` into the URL as given: encoded here, once for every caller, so that what a clause
    // holds reaches Graph as written (an `&` would end the parameter, a `#` start the fragment, a `+` read as a space).
    if (query.filter) request = request.filter(encodeURIComponent(query.filter));
    if (query.top) request = request.top(query.top);
    try {
      return (await request.get()) as unknown;
    } catch (error) {
      throw toGraphReadError(error, options.signal);
    }
  }

  const what = (pathOrUrl: string): string => `Graph page ${pathOrUrl.startsWith(graphOrigin) ? new URL(pathOrUrl).pathname : pathOrUrl.split('?')[0]}`;
  const getPage = async (pathOrUrl: string, query: GraphQuery | undefined, delta: boolean): Promise<GraphPage> =>
    parseGraphPage(await get(pathOrUrl, query), { delta, graphOrigin, what: what(pathOrUrl) });

  const forEachPage: GraphReader['forEachPage'] = async (path, query, onPage) => {
    let page = await getPage(path, query, false);
    await onPage(page.value);
    while (page.nextLink) {
      page = await getPage(page.nextLink, undefined, false);
      await onPage(page.value);
    }
  };

  return {
    async getObject(pathOrUrl, query) {
      const body = await get(pathOrUrl, query);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GraphReadError('malformed', `${what(pathOrUrl)}: the answer is not a JSON object`);
      return body as GraphObject;
    },
    getDeltaPage: (pathOrUrl, query) => getPage(pathOrUrl, query, true),
    forEachPage,
    async listAll(path, query) {
      const items: GraphObject[] = [];
      await forEachPage(path, query, async (value) => {
        items.push(...value);
      });
      return items;
    },
    counts: () => ({ ...counts }),
  };
}
