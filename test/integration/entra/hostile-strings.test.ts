// One user whose displayName holds a NUL character (which Postgres refuses in text and jsonb) must not stop the
// cycle for everyone: the value is stored without it, the object and attribute are named in a warning, and every
// user is provisioned. Long names, emoji, quotes and backslashes pass unchanged. Run on PGlite and on Postgres.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { readSourceUsers } from '../../../src/store/index.js';
import { openEngineSession, type EngineSession } from '../../helpers/engine-session.js';

let session: EngineSession;
const lines: Array<Record<string, unknown>> = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

const longName = `${'Ŵ'.repeat(9_990)}-long-name`;
const oddName = 'Zoë "Quotes" O\'Brien \\ back\\slash 😀🏳️‍🌈';

beforeAll(async () => {
  session = await openEngineSession({ tenant: { seed: 71, users: 30, groups: 3, directAssignmentShare: 1 } });
});
afterAll(() => session.close());

describe('hostile strings from Graph', () => {
  it('provisions everyone, strips NUL and control characters, names the object, keeps long and odd names', async () => {
    const [nul, control, long, odd] = session.tenant.users().filter((user) => !user.deletedDateTime && user.accountEnabled);
    session.tenant.renameUser(nul!.id, { displayName: 'Ada\u0000 Lovelace' });
    session.tenant.renameUser(control!.id, { displayName: 'Grace\u0007\u001b Hopper', mail: 'grace.hop\u0000per@contoso.example' });
    session.tenant.renameUser(long!.id, { displayName: longName });
    session.tenant.renameUser(odd!.id, { displayName: oddName });

    const logger = createLogger({ level: 'warn', destination: capture });
    const summary = await runCycle({ config: session.config, store: session.store.store, logger }, {});
    expect(summary.status).toBe('succeeded');

    const stored = new Map((await readSourceUsers(session.store.store.db, 'workspace')).map((row) => [row.id, row.attributes as Record<string, unknown>]));
    expect(stored.get(nul!.id)?.displayName).toBe('Ada Lovelace');
    expect(stored.get(control!.id)).toMatchObject({ displayName: 'Grace Hopper', mail: 'grace.hopper@contoso.example' });
    expect(stored.get(long!.id)?.displayName).toBe(longName);
    expect(stored.get(odd!.id)?.displayName).toBe(oddName);

    const warnings = lines.filter((line) => line.event === 'entra.attribute.cleaned');
    expect(warnings).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: nul!.id, attributes: ['displayName'] }),
      expect.objectContaining({ id: control!.id, attributes: expect.arrayContaining(['displayName', 'mail']) }),
    ]));

    const inNotion = new Map(session.notion.workspace.users().map((user) => [user.userName.toLowerCase(), user.name.formatted]));
    expect(inNotion.get(nul!.userPrincipalName.toLowerCase())).toBe('Ada Lovelace');
    expect(inNotion.get(control!.userPrincipalName.toLowerCase())).toBe('Grace Hopper');
    expect(inNotion.get(long!.userPrincipalName.toLowerCase())).toBe(longName);
    expect(inNotion.get(odd!.userPrincipalName.toLowerCase())).toBe(oddName);
    // Everyone else is exactly as the tenant says (the two cleaned names differ from the tenant's on purpose).
    const cleanedNames = [nul!, control!].map((user) => `user ${user.userPrincipalName}: name`);
    expect(session.differences().filter((line) => !cleanedNames.some((prefix) => line.startsWith(prefix)))).toEqual([]);
  });
});
