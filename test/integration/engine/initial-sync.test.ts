// The initial cycle against both simulators: Notion ends up holding exactly what the tenant says, cheaply, once.
import { describe, expect, it } from 'vitest';
import { expectedWorkspace } from '../../../src/cli/commands/demo-verdict.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';

const { open } = engineSessionPerTest({});

describe('initial sync', () => {
  it('provisions every assigned user and group, with members, and nothing else', async () => {
    const session = await open();
    const summary = await session.sync();
    expect(summary).toMatchObject({ kind: 'initial', status: 'succeeded', importComplete: true, escrowed: 0 });
    expect(session.differences()).toEqual([]);
    const expected = expectedWorkspace(session.tenant);
    expect(session.notion.workspace.userCount()).toBe(expected.users.size);
    expect(expected.users.size).toBeGreaterThan(5);
    expect(session.notion.workspace.groupCount()).toBe(expected.groups.size);
  });

  it('sends at most one request per create, update and member batch, plus the listing pages', async () => {
    const session = await open({ tenant: { seed: 11, users: 120, groups: 6 }, notion: { maxMembersPerPatch: 100 } });
    const summary = await session.sync();
    const counts = session.notion.requestCounts();
    const listingPages = (counts['GET /Users'] ?? 0) + (counts['GET /Groups'] ?? 0);
    const creates = (summary.counts['create.success'] ?? 0);
    const updates = (summary.counts['update.success'] ?? 0);
    const batches = (summary.counts['add-members.success'] ?? 0) + (summary.counts['remove-members.success'] ?? 0);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(session.differences()).toEqual([]);
    expect(listingPages).toBeLessThanOrEqual(2);
    expect(total).toBeLessThanOrEqual(creates + updates + batches + listingPages);
    expect(counts['GET /Users/:id'] ?? 0).toBe(0);
  });

  it('sends no write at all in a second cycle right after', async () => {
    const session = await open();
    await session.sync();
    session.notion.clearRequests();
    const second = await session.sync();
    expect(second).toMatchObject({ kind: 'incremental', status: 'succeeded' });
    expect(session.writes()).toBe(0);
  });
});
