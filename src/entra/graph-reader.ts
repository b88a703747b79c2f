// Reads from Microsoft Graph v1.0 through @microsoft/microsoft-graph-client: one page, or every page of a list.
import { Client, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import type { TokenProvider } from './credentials.js';
import { toGraphReadError } from './graph-errors.js';
import { GraphRequestPolicy, type RequestCounts } from './request-policy.js';

export type GraphObject = Record<string, unknown>;

export interface GraphPage {
  value: GraphObject[];
  nextLink: string | null;
  deltaLink: string | null;
}

export interface GraphQuery {
  select?: readonly string[];
  filter?: string;
  top?: number;
}

export interface GraphReader {
  /** GET one object or page; `pathOrUrl` is a path under /v1.0 or a full nextLink/deltaLink. Throws GraphReadError. */
  getObject(pathOrUrl: string, query?: GraphQuery): Promise<GraphObject>;
  getPage(pathOrUrl: string, query?: GraphQuery): Promise<GraphPage>;
  /** Follows `@odata.nextLink` to the end of a list. */
  listAll(path: string, query?: GraphQuery): Promise<GraphObject[]>;
  counts(): RequestCounts;
}

export function createGraphReader(options: { graphBaseUrl: string; tokens: TokenProvider; signal?: AbortSignal }): GraphReader {
  const counts: RequestCounts = { requests: 0, throttled: 0 };
  const policy = new GraphRequestPolicy(options.tokens, counts, options.signal);
  policy.setNext(new HTTPMessageHandler());
  const client = Client.initWithMiddleware({ middleware: policy, baseUrl: options.graphBaseUrl.replace(/\/+$/, ''), defaultVersion: 'v1.0' });

  async function getObject(pathOrUrl: string, query: GraphQuery = {}): Promise<GraphObject> {
    let request = client.api(pathOrUrl);
    if (query.select && query.select.length > 0) request = request.select([...query.select]);
    if (query.filter) request = request.filter(query.filter);
    if (query.top) request = request.top(query.top);
    try {
      const body: unknown = await request.get();
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`unexpected answer from ${pathOrUrl}`);
      return body as GraphObject;
    } catch (error) {
      throw toGraphReadError(error, options.signal);
    }
  }

  async function getPage(pathOrUrl: string, query?: GraphQuery): Promise<GraphPage> {
    const body = await getObject(pathOrUrl, query);
    const value = Array.isArray(body.value) ? body.value.filter(isObject) : [];
    const link = (name: string): string | null => (typeof body[name] === 'string' ? (body[name] as string) : null);
    return { value, nextLink: link('@odata.nextLink'), deltaLink: link('@odata.deltaLink') };
  }

  return {
    getObject,
    getPage,
    async listAll(path, query) {
      const items: GraphObject[] = [];
      let page = await getPage(path, query);
      items.push(...page.value);
      while (page.nextLink) {
        page = await getPage(page.nextLink);
        items.push(...page.value);
      }
      return items;
    },
    counts: () => ({ ...counts }),
  };
}

function isObject(value: unknown): value is GraphObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
