// A run stopped after page k and run again ends with the same mirror as an uninterrupted run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../src/sim/graph/index.js';
import { readWatermark } from '../../../src/store/index.js';
import { openTestStore, type TestStore } from '../../helpers/store.js';
import { TARGET, importOptions, mirrorSnapshot, openEntraSession, type EntraSession } from './entra-session.js';

let session: EntraSession;
let uninterrupted: Awaited<ReturnType<typeof mirrorSnapshot>>;
const stores: TestStore[] = [];

beforeAll(async () => {
  session = await openEntraSession({ seed: 31, users: 600, groups: 40 }, { pageSize: { min: 20, max: 40 } });
  expect((await session.source().importIntoMirror(session.db, TARGET, importOptions)).complete).toBe(true);
  uninterrupted = await mirrorSnapshot(session.db);
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await session.close();
});

async function freshStore(): Promise<TestStore> {
  const store = await openTestStore();
  stores.push(store);
  return store;
}

/** Calls `act` once, after the k-th successful answer on a route. */
function afterPage(route: string, k: number, act: () => void): () => void {
  let seen = 0;
  const listener = (record: RequestRecord): void => {
    if (record.route !== route || record.status !== 200) return;
    seen += 1;
    if (seen === k) act();
  };
  session.sim.events.on('request', listener);
  return () => session.sim.events.off('request', listener);
}

describe('an import stopped after page k', () => {
  it('continues the users stream from its checkpoint after a failed page, to the same mirror', async () => {
    const { store } = await freshStore();
    const stop = afterPage('/v1.0/users/delta', 4, () => session.sim.injectFault({ kind: 'status', status: 500, count: 1, match: { path: /\/users\/delta/ } }));
    const broken = await session.source().importIntoMirror(store.db, TARGET, importOptions);
    stop();
    expect(broken).toMatchObject({ complete: false, incompleteReason: expect.stringContaining('500') });
    const checkpoint = await readWatermark(store.db, TARGET, 'users');
    expect(checkpoint).toMatchObject({ fullRead: true, deltaLink: null, nextLink: expect.stringContaining('$skiptoken=') });

    session.sim.clearRequests();
    const resumed = await session.source().importIntoMirror(store.db, TARGET, importOptions);
    expect(resumed).toMatchObject({ complete: true, fullRead: { users: true, groups: false } });
    const firstUsersRequest = session.sim.requests().find((record) => record.route === '/v1.0/users/delta');
    expect(firstUsersRequest?.path).toContain('$skiptoken=');
    expect(await mirrorSnapshot(store.db)).toEqual(uninterrupted);
  });

  it('continues the groups stream (large groups split over pages) after an abort, to the same mirror', async () => {
    const { store } = await freshStore();
    const controller = new AbortController();
    const stop = afterPage('/v1.0/groups/delta', 3, () => controller.abort(new Error('killed')));
    const broken = await session.source({}, controller.signal).importIntoMirror(store.db, TARGET, importOptions);
    stop();
    expect(broken).toMatchObject({ complete: false, incompleteReason: expect.stringMatching(/^aborted/) });
    expect(await readWatermark(store.db, TARGET, 'groups')).toMatchObject({ fullRead: true, nextLink: expect.any(String) });

    const resumed = await session.source().importIntoMirror(store.db, TARGET, importOptions);
    expect(resumed).toMatchObject({ complete: true, fullRead: { users: true, groups: true } });
    expect(await mirrorSnapshot(store.db)).toEqual(uninterrupted);
  });
});
