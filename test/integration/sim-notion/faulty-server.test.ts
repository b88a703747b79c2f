// The Notion simulator's faulty-server switches: a create answered with another member, filters ignored, and
// repeatable `rate` faults under a seed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notionSimulatorDefaults } from '../../../src/sim/notion/index.js';
import { seededRandom } from '../../../src/sim/notion/traffic.js';
import { openScimSession, type ScimSession } from './scim-session.js';

let session: ScimSession;
beforeAll(async () => {
  session = await openScimSession();
});
afterEach(() => {
  session.simulator.workspace.clear();
  session.simulator.clearFaults();
  session.simulator.setOptions(notionSimulatorDefaults);
});
afterAll(() => session.simulator.close());

describe('createAnswersMember', () => {
  it('creates the user but answers 201 with the named existing member', async () => {
    const bystander = session.simulator.workspace.addUser({ userName: 'bystander@example.com' });
    session.simulator.setOptions({ createAnswersMember: 'bystander@example.com' });
    const reply = await session.post('/Users', { userName: 'new@example.com' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ id: bystander.id, userName: 'bystander@example.com' });
    expect(session.simulator.workspace.accountByUserName('new@example.com')?.inWorkspace).toBe(true);
  });

  it('can be set over the control API and cleared with null', async () => {
    const set = await fetch(`${session.simulator.controlUrl}/options`, { method: 'PATCH', body: JSON.stringify({ createAnswersMember: 'x@example.com', ignoreFilters: true, faultSeed: 3 }) });
    expect(set.status).toBe(200);
    expect(session.simulator.options).toMatchObject({ createAnswersMember: 'x@example.com', ignoreFilters: true, faultSeed: 3 });
    await fetch(`${session.simulator.controlUrl}/options`, { method: 'PATCH', body: JSON.stringify({ createAnswersMember: null, faultSeed: null }) });
    expect(session.simulator.options.createAnswersMember).toBeUndefined();
    expect(session.simulator.options.faultSeed).toBeUndefined();
  });
});

describe('ignoreFilters', () => {
  it('answers a filtered Users or Groups query with every member or group', async () => {
    session.simulator.workspace.addUser({ userName: 'a@example.com' });
    session.simulator.workspace.addUser({ userName: 'b@example.com' });
    session.simulator.workspace.addGroup({ displayName: 'One' });
    session.simulator.workspace.addGroup({ displayName: 'Two' });
    expect((await session.filter('Users', 'userName eq "a@example.com"')).body.Resources).toHaveLength(1);
    session.simulator.setOptions({ ignoreFilters: true });
    expect((await session.filter('Users', 'userName eq "a@example.com"')).body.Resources).toHaveLength(2);
    expect((await session.filter('Groups', 'displayName eq "One"')).body.Resources).toHaveLength(2);
  });
});

describe('faultSeed', () => {
  it('makes rate faults fall on the same requests in every run', async () => {
    const statuses = async (): Promise<number[]> => {
      session.simulator.clearFaults();
      session.simulator.setOptions({ faultSeed: 5 });
      session.simulator.injectFault({ kind: 'status', status: 503, rate: 0.3 });
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) seen.push((await session.get('/Users')).status);
      return seen;
    };
    const first = await statuses();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await statuses()).toEqual(first);
  });

  it('draws numbers in [0, 1)', () => {
    const next = seededRandom(1);
    const draws = Array.from({ length: 1000 }, next);
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(990);
  });
});
