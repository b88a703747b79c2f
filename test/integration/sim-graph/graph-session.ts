// Test helpers: a client-credentials token from the simulator and JSON GETs against its Graph API.
import type { GraphSimulator } from '../../../src/sim/graph/index.js';

export async function requestToken(sim: GraphSimulator, form: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sim.clientId,
      client_secret: sim.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
      ...form,
    }),
  });
}

export async function accessToken(sim: GraphSimulator): Promise<string> {
  const response = await requestToken(sim);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export interface GraphAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** GET a path (or a full nextLink/deltaLink URL) with a bearer token. */
export async function graphGet(sim: GraphSimulator, pathOrUrl: string, token: string | null): Promise<GraphAnswer> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${sim.graphBaseUrl}${pathOrUrl}`;
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

type Item = Record<string, unknown>;

/** Follows nextLinks to the deltaLink; returns every page's items and the deltaLink. */
export async function readDeltaRound(sim: GraphSimulator, firstUrl: string, token: string): Promise<{ pages: Item[][]; deltaLink: string }> {
  const pages: Item[][] = [];
  let url: string = firstUrl;
  for (;;) {
    const answer = await graphGet(sim, url, token);
    if (answer.status !== 200) throw new Error(`delta page answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    pages.push(answer.body.value as Item[]);
    if (typeof answer.body['@odata.deltaLink'] === 'string') return { pages, deltaLink: answer.body['@odata.deltaLink'] };
    url = answer.body['@odata.nextLink'] as string;
  }
}
