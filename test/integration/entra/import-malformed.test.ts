// Fault injection at the HTTP edge with nock (the Graph client uses fetch, which nock intercepts): answers the
// simulator never gives — an HTML error page, a truncated JSON body, a page without `value` — must leave the
// import incomplete and the mirror's earlier truth standing (fail closed), never read as "everyone is gone".
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TARGET, importOptions, mirrorSnapshot, openEntraSession, type EntraSession } from './entra-session.js';

let session: EntraSession;

beforeAll(async () => {
  session = await openEntraSession({ seed: 43, users: 80, groups: 6 });
  expect((await session.source().importIntoMirror(session.db, TARGET, importOptions)).complete).toBe(true);
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.restore();
  await session.close();
});

const malformedAnswers: Array<[string, string, string]> = [
  ['an HTML error page answered 200', '<html><body><h1>Service temporarily unavailable</h1></body></html>', 'text/html'],
  ['a truncated JSON body', '{"@odata.context":"x","value":[{"id":"', 'application/json'],
  ['a JSON page without value or links', '{"unexpected":true}', 'application/json'],
];

describe('a malformed Graph answer', () => {
  it.each(malformedAnswers)('(%s) leaves the import incomplete and the mirror unchanged', async (_what, body, contentType) => {
    const before = await mirrorSnapshot(session.db);
    session.tenant.hardDeleteUser(session.tenant.users()[3]!.id);
    const graphEdge = nock(session.sim.graphBaseUrl, { allowUnmocked: true })
      .get((path) => path.startsWith('/v1.0/users/delta'))
      .reply(200, body, { 'content-type': contentType });

    const result = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(graphEdge.isDone()).toBe(true);
    expect(result.complete).toBe(false);
    expect(result.incompleteReason).toBeTruthy();
    // Nobody was marked removed: neither the hard-deleted user (not read yet) nor anyone the bad page "left out".
    expect((await mirrorSnapshot(session.db)).users).toEqual(before.users);
  });

  it('is followed by a complete import once Graph answers properly again', async () => {
    const result = await session.source().importIntoMirror(session.db, TARGET, importOptions);
    expect(result).toMatchObject({ complete: true });
    expect(result.changed.users).toBeGreaterThanOrEqual(3);
  });
});
