// On-demand provisioning of one user: the steps it reports, and what it changes (or, dry, does not change) in Notion.
import { describe, expect, it } from 'vitest';
import { provisionOnDemand } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { assignedGroupIds, notionGroupMembers, notionUser } from '../../helpers/tenant-picks.js';

const { open } = engineSessionPerTest({});

const logger = createLogger({ level: 'silent' });

describe('provision on demand', () => {
  it('creates a newly assigned user at once, with its group membership, and reports each step', async () => {
    const session = await open({ tenant: { seed: 21, users: 30, groups: 4 } });
    const s = session;
    await s.sync();
    const hire = s.tenant.hireUser({ userPrincipalName: 'on.demand@example.com', displayName: 'On Demand' });
    const [groupId] = assignedGroupIds(s.tenant) as [string];
    s.tenant.addMember(groupId, hire.id);
    const deps = { config: s.config, store: s.store.store, logger };

    const dry = await provisionOnDemand(deps, 'on.demand@example.com', { dryRun: true });
    expect(dry.scope).toMatchObject({ assigned: true, inScope: true, isSoftDeleted: false });
    expect(dry.plan.map((op) => op.kind)).toContain('create-user');
    expect(notionUser(s.notion.workspace, 'on.demand@example.com')).toBeUndefined();

    const done = await provisionOnDemand(deps, hire.id, { dryRun: false });
    expect(done.result?.summary).toMatchObject({ kind: 'on-demand', status: 'succeeded' });
    expect(done.result?.log.map((e) => `${e.action}.${e.status}`)).toEqual(['create.success', 'add-members.success']);
    expect(notionUser(s.notion.workspace, 'on.demand@example.com')?.inWorkspace).toBe(true);
    const groupName = s.tenant.groups().find((g) => g.id === groupId)?.displayName as string;
    expect(notionGroupMembers(s.notion.workspace, groupName)).toContain('on.demand@example.com');
  });

  it('says so when the user is not in Entra, and explains a user out of scope without creating it', async () => {
    const session = await open({ tenant: { seed: 21, users: 30, groups: 4 } });
    const s = session;
    const deps = { config: s.config, store: s.store.store, logger };
    expect((await provisionOnDemand(deps, 'nobody@example.com', { dryRun: false })).import.found).toBe(false);
    const outsider = s.tenant.hireUser({ userPrincipalName: 'outsider@example.com' });
    const report = await provisionOnDemand(deps, outsider.id, { dryRun: false });
    expect(report.scope).toMatchObject({ assigned: false, inScope: false });
    expect(report.result?.log).toEqual([]);
    expect(notionUser(s.notion.workspace, 'outsider@example.com')).toBeUndefined();
  });
});
