import { afterEach, describe, expect, it } from 'vitest';
import { createScimClient, type ScimClient } from '../../../src/scim/index.js';
import { listResponse, startScriptedServer, user, type ScriptedServer } from './scripted-scim-server.js';
import { listAll } from '../../helpers/listing.js';

let server: ScriptedServer | undefined;
let client: ScimClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
});

const users = Array.from({ length: 250 }, (_, i) => user(`u${String(i).padStart(3, '0')}`));

/** Serves /Users pages from `order(startIndex)`, the list the server happens to hold while answering that page. */
async function listingClient(order: (startIndex: number) => typeof users): Promise<ScimClient> {
  server = await startScriptedServer((request) => {
    const query = new URL(request.url, 'http://x').searchParams;
    const startIndex = Number(query.get('startIndex'));
    const count = Math.min(Number(query.get('count')), 100);
    return listResponse(order(startIndex).slice(startIndex - 1, startIndex - 1 + count), users.length, startIndex);
  });
  client = createScimClient({ baseUrl: server.url, token: server.token, requestsPerSecond: 200 });
  return client;
}

describe('listing every user', () => {
  it('reads 250 users in pages of 100 and calls the listing complete', async () => {
    const scim = await listingClient(() => users);
    const listing = await listAll(scim.walkUsers);
    expect(listing.complete).toBe(true);
    expect(listing.resources.map((u) => u.id)).toEqual(users.map((u) => u.id));
    expect(server!.seen.map((r) => r.url)).toEqual([
      '/scim/v2/Users?startIndex=1&count=100',
      '/scim/v2/Users?startIndex=101&count=100',
      '/scim/v2/Users?startIndex=201&count=100',
    ]);
  });

  it('keeps one copy of a user served on two pages and says the listing is incomplete', async () => {
    // Between pages the order shifts by one: the second page repeats u099 and u199 is never served.
    const shifted = [...users.slice(0, 99), users[99]!, ...users.slice(99, 198), ...users.slice(199)];
    const scim = await listingClient((startIndex) => (startIndex === 1 ? users : shifted));
    const listing = await listAll(scim.walkUsers);
    expect(listing.complete).toBe(false);
    expect(listing.duplicatesSeen).toBe(1);
    expect(listing.resources).toHaveLength(249);
    expect(new Set(listing.resources.map((u) => u.id)).size).toBe(249);
  });

  it('returns users without their meta block', async () => {
    const scim = await listingClient(() => users);
    const listing = await listAll(scim.walkUsers);
    expect(listing.resources[0]).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: 'u000', userName: 'u000@example.com', active: true });
  });
});
