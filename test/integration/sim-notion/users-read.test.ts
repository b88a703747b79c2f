// Reading users from the Notion simulator: auth, discovery documents, paging and filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScimSession, type ScimSession } from './scim-session.js';

let session: ScimSession;

beforeAll(async () => {
  session = await openScimSession();
  const { workspace } = session.simulator;
  workspace.addUser({ userName: 'Ada.Lovelace@example.com', name: { formatted: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace' } });
  workspace.addUser({ userName: 'quote"and\\slash@example.com', name: { formatted: 'Odd Name' } });
  workspace.addUser({ userName: 'gone@example.com', inWorkspace: false });
  for (let n = 0; n < 247; n++) workspace.addUser({ userName: `user${n}@example.com`, name: { formatted: `User ${n}` } });
});
afterAll(() => session.simulator.close());

describe('authentication', () => {
  it('answers 401 with a SCIM error body to a wrong token', async () => {
    const reply = await session.call('GET', '/Users', undefined, { authorization: 'Bearer wrong' });
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
  });

  it('answers 401 without any token', async () => {
    const response = await fetch(`${session.simulator.url}/Groups`);
    expect(response.status).toBe(401);
  });

  it('serves ServiceProviderConfig without authentication, as observed on Notion', async () => {
    const response = await fetch(`${session.simulator.url}/ServiceProviderConfig`);
    const body = (await response.json()) as Record<string, { supported: boolean }>;
    expect(response.status).toBe(200);
    expect(body.patch?.supported).toBe(true);
    expect(body.sort?.supported).toBe(false);
    expect(body.bulk?.supported).toBe(false);
  });

  it('lists the User and Group resource types', async () => {
    const reply = await session.get('/ResourceTypes');
    expect(reply.body.Resources?.map((type) => type.id)).toEqual(['User', 'Group']);
  });

  it('answers application/scim+json', async () => {
    const reply = await session.get('/Users?count=1');
    expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  });
});

describe('paging', () => {
  it('walks every member with 1-based startIndex, totalResults and itemsPerPage', async () => {
    const seen: string[] = [];
    for (let startIndex = 1; ; ) {
      const reply = await session.get(`/Users?startIndex=${startIndex}&count=100`);
      expect(reply.body.totalResults).toBe(249);
      const page = reply.body.Resources ?? [];
      expect(reply.body.itemsPerPage).toBe(page.length);
      if (page.length === 0) break;
      seen.push(...page.map((user) => String(user.id)));
      startIndex += page.length;
    }
    expect(seen).toHaveLength(249);
    expect(new Set(seen).size).toBe(249);
  });

  it('clamps a count above 100 to 100', async () => {
    const reply = await session.get('/Users?count=500');
    expect(reply.body.itemsPerPage).toBe(100);
  });

  it('answers only totalResults to count=0', async () => {
    const reply = await session.get('/Users?count=0');
    expect(reply.body).toMatchObject({ totalResults: 249, itemsPerPage: 0, Resources: [] });
  });

  it('never lists removed members', async () => {
    const reply = await session.filter('Users', 'userName eq "gone@example.com"');
    expect(reply.body.totalResults).toBe(0);
  });

  it('shows repeated and missing users across a walk when the order is unstable', async () => {
    session.simulator.setOptions({ unstableOrder: true });
    try {
      let walksWithRepeats = 0;
      for (let walk = 0; walk < 5; walk++) {
        const ids: string[] = [];
        for (let startIndex = 1; startIndex <= 249; startIndex += 100) {
          const reply = await session.get(`/Users?startIndex=${startIndex}&count=100`);
          ids.push(...(reply.body.Resources ?? []).map((user) => String(user.id)));
        }
        expect(ids).toHaveLength(249);
        if (new Set(ids).size < ids.length) walksWithRepeats += 1;
      }
      expect(walksWithRepeats).toBeGreaterThan(0);
    } finally {
      session.simulator.setOptions({ unstableOrder: false });
    }
  });
});

describe('filters', () => {
  it('finds a user by userName regardless of case', async () => {
    const reply = await session.filter('Users', 'userName eq "ada.lovelace@EXAMPLE.com"');
    expect(reply.body.totalResults).toBe(1);
    expect(reply.body.Resources?.[0]?.userName).toBe('Ada.Lovelace@example.com');
  });

  it('finds a user by Notion email', async () => {
    const reply = await session.filter('Users', 'email eq "ADA.LOVELACE@example.com"');
    expect(reply.body.Resources?.[0]?.userName).toBe('Ada.Lovelace@example.com');
  });

  it('reads RFC escapes for a quote and a backslash in the value', async () => {
    const reply = await session.filter('Users', String.raw`userName eq "quote\"and\\slash@example.com"`);
    expect(reply.body.Resources?.[0]?.userName).toBe('quote"and\\slash@example.com');
  });

  it('combines terms with and', async () => {
    const both = await session.filter('Users', 'userName eq "ada.lovelace@example.com" and displayName eq "Ada Lovelace"');
    const clash = await session.filter('Users', 'userName eq "ada.lovelace@example.com" and displayName eq "Someone Else"');
    expect(both.body.totalResults).toBe(1);
    expect(clash.body.totalResults).toBe(0);
  });

  it('finds users by displayName and by Notion given_name', async () => {
    expect((await session.filter('Users', 'displayName eq "User 7"')).body.totalResults).toBe(1);
    expect((await session.filter('Users', 'given_name eq "Ada"')).body.totalResults).toBe(1);
  });

  it('answers 400 invalidFilter to a filter it cannot read', async () => {
    for (const expression of ['userName co "ada"', 'userName eq "unterminated', 'externalId eq "x"', 'userName eq "a" or email eq "b"']) {
      const reply = await session.filter('Users', expression);
      expect(reply.status, expression).toBe(400);
      expect(reply.body.scimType).toBe('invalidFilter');
    }
  });

  it('refuses userName filters when the switch plays a Notion that only knows email', async () => {
    session.simulator.setOptions({ userNameFilter: 'bad-request' });
    try {
      expect((await session.filter('Users', 'userName eq "ada.lovelace@example.com"')).status).toBe(400);
      expect((await session.filter('Users', 'email eq "ada.lovelace@example.com"')).body.totalResults).toBe(1);
    } finally {
      session.simulator.setOptions({ userNameFilter: 'supported' });
    }
  });
});

describe('user shape', () => {
  it('carries meta with epoch-millisecond strings and a location on app.notion.com', async () => {
    const user = (await session.filter('Users', 'userName eq "ada.lovelace@example.com"')).body.Resources?.[0];
    const meta = user?.meta as Record<string, string>;
    expect(meta.created).toMatch(/^\d{13}$/);
    expect(meta.lastModified).toMatch(/^\d{13}$/);
    expect(meta.location).toBe(`https://app.notion.com/scim/v2/Users/${String(user?.id)}`);
  });

  it('answers 404 to an unknown id', async () => {
    const reply = await session.get('/Users/00000000-0000-0000-0000-000000000000');
    expect(reply.status).toBe(404);
    expect(reply.body.status).toBe('404');
  });
});
