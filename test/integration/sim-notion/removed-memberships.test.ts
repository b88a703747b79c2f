// The Notion simulator's `membershipsOnRemoval` switch: what removing a member does to their groups, and what adding
// them back gives back (reference notion-scim.md §3.6), over SCIM and the control API.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NotionWorkspace, notionSimulatorDefaults } from '../../../src/sim/notion/index.js';
import { restoreWindowMs } from '../../../src/sim/notion/workspace.js';
import { openScimSession, type ScimSession } from './scim-session.js';

let session: ScimSession;
beforeAll(async () => {
  session = await openScimSession();
});
afterEach(() => {
  session.simulator.workspace.clear();
  session.simulator.setOptions(notionSimulatorDefaults);
});
afterAll(() => session.simulator.close());

/** A member in one group, removed with `active=false` over SCIM, then added back with a POST of their userName. */
async function removeAndAddBack(removal: 'patch' | 'delete'): Promise<{ whileRemoved: string[]; afterReturn: string[] }> {
  const { workspace } = session.simulator;
  const user = workspace.addUser({ userName: 'ada@example.com' });
  const group = workspace.addGroup({ displayName: 'Engineering', members: [user.id] });
  const removed = removal === 'patch' ? await session.patch(`/Users/${user.id}`, [{ op: 'replace', path: 'active', value: false }]) : await session.delete(`/Users/${user.id}`);
  expect(removed.status).toBeLessThan(300);
  const whileRemoved = ((await session.get(`/Groups/${group.id}`)).body.members as Array<{ value: string }>).map((m) => m.value);
  expect((await session.post('/Users', { userName: 'ada@example.com' })).status).toBe(201);
  const afterReturn = ((await session.get(`/Groups/${group.id}`)).body.members as Array<{ value: string }>).map((m) => m.value);
  return { whileRemoved: whileRemoved.map((id) => (id === user.id ? 'ada' : id)), afterReturn: afterReturn.map((id) => (id === user.id ? 'ada' : id)) };
}

describe('membershipsOnRemoval', () => {
  it('by default drops the groups of a removed member and gives them back when they rejoin, as Notion says', async () => {
    expect(notionSimulatorDefaults.membershipsOnRemoval).toBe('restore-within-30-days');
    expect(await removeAndAddBack('patch')).toEqual({ whileRemoved: [], afterReturn: ['ada'] });
  });

  it('drop: the groups are gone for good', async () => {
    session.simulator.setOptions({ membershipsOnRemoval: 'drop' });
    expect(await removeAndAddBack('delete')).toEqual({ whileRemoved: [], afterReturn: [] });
  });

  it('keep: a removed member stays in its groups, as an RFC 7644 server keeps an inactive user', async () => {
    session.simulator.setOptions({ membershipsOnRemoval: 'keep' });
    expect(await removeAndAddBack('patch')).toEqual({ whileRemoved: ['ada'], afterReturn: ['ada'] });
  });

  it('can be set over the control API, and refuses a value it does not know', async () => {
    const set = await fetch(`${session.simulator.controlUrl}/options`, { method: 'PATCH', body: JSON.stringify({ membershipsOnRemoval: 'keep' }) });
    expect(set.status).toBe(200);
    expect(session.simulator.options.membershipsOnRemoval).toBe('keep');
    expect(session.simulator.workspace.membershipsOnRemoval).toBe('keep');
    const refused = await fetch(`${session.simulator.controlUrl}/options`, { method: 'PATCH', body: JSON.stringify({ membershipsOnRemoval: 'sometimes' }) });
    expect(refused.status).toBe(400);
  });
});

describe('the 30-day window', () => {
  it('gives nothing back to a member who rejoins after 30 days, nor a group deleted in between', () => {
    let now = 0;
    const workspace = new NotionWorkspace(() => now);
    const late = workspace.addUser({ userName: 'late@example.com' });
    const soon = workspace.addUser({ userName: 'soon@example.com' });
    const kept = workspace.addGroup({ displayName: 'Kept', members: [late.id, soon.id] });
    const deleted = workspace.addGroup({ displayName: 'Deleted', members: [soon.id] });
    workspace.removeUser(late.id);
    workspace.removeUser(soon.id);
    workspace.deleteGroup(deleted.id);
    now = restoreWindowMs;
    workspace.editUser(soon.id, { inWorkspace: true });
    now = restoreWindowMs + 1;
    workspace.editUser(late.id, { inWorkspace: true });
    expect(workspace.groupsOf(soon.id)).toEqual([kept.id]);
    expect(workspace.groupsOf(late.id)).toEqual([]);
  });
});
