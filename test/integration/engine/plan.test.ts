// `plan`: the same pipeline as a cycle, printed as a table; nothing is sent to Notion and no link changes.
import { describe, expect, it } from 'vitest';
import { planCycle, renderPlanTable } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { countLinks } from '../../helpers/whole-tables.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { directlyAssignedUser } from '../../helpers/tenant-picks.js';

const { open } = engineSessionPerTest({});

describe('plan', () => {
  it('lists what the next cycle would do, writes nothing, and then the cycle does exactly that', async () => {
    const session = await open({ tenant: { seed: 21, users: 30, groups: 4 } });
    const s = session;
    await s.sync();
    const user = directlyAssignedUser(s.tenant);
    s.tenant.disableUser(user.id);
    s.tenant.hireUser({ userPrincipalName: 'planned.hire@example.com' });
    const hire = s.tenant.users().find((u) => u.userPrincipalName === 'planned.hire@example.com');
    s.tenant.assign(hire?.id as string);
    s.notion.clearRequests();
    const linksBefore = await countLinks(s.store.store.db, s.config.target);

    const report = await planCycle({ config: s.config, store: s.store.store, logger: createLogger({ level: 'silent' }) });
    const table = renderPlanTable(report.plan);
    expect(table).toMatch(new RegExp(`^disable\\s+user\\s+${user.userPrincipalName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+accountEnabled is false`, 'm'));
    expect(table).toMatch(/^create\s+user\s+planned\.hire@example\.com/m);
    expect(table).toContain('Total: disable 1, create 1'); // in the order they run: offboarding first
    expect(s.writes()).toBe(0);
    expect(await countLinks(s.store.store.db, s.config.target)).toBe(linksBefore);

    const summary = await s.sync();
    expect(summary.counts).toMatchObject({ 'create.success': 1, 'disable.success': 1 });
  });
});
