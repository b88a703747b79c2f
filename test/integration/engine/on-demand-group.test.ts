// On-demand provisioning of a group: the group and up to five of its in-scope members, each step reported; a dry run
// sends nothing; an unknown or ambiguous name says so; a failed Graph read changes nothing.
import { describe, expect, it } from 'vitest';
import { provisionUserOrGroupOnDemand, type AnyOnDemandReport, type GroupOnDemandReport } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { readSourceGroups } from '../../../src/store/index.js';
import { engineSessionPerTest, type EngineSession } from '../../helpers/engine-session.js';
import { notionGroupMembers } from '../../helpers/tenant-picks.js';

const { synced } = engineSessionPerTest();
const logger = createLogger({ level: 'silent' });

function asGroup(report: AnyOnDemandReport): GroupOnDemandReport {
  expect(report.kind).toBe('group');
  return report as GroupOnDemandReport;
}

/** A new assigned group with `size` new members, none of them in Notion yet. */
function newAssignedGroup(s: EngineSession, name: string, size: number) {
  const group = s.tenant.createGroup({ displayName: name });
  const members = Array.from({ length: size }, (_, i) => s.tenant.hireUser({ userPrincipalName: `shift.${String(i).padStart(2, '0')}@example.com`, displayName: `Shift ${i}` }));
  for (const member of members) s.tenant.addMember(group.id, member.id);
  s.tenant.assign(group.id);
  return { group, members };
}

describe('provision <group>', () => {
  it('plans, then creates the group and its first five in-scope members and adds them, reporting each step', async () => {
    const s = await synced();
    const { group } = newAssignedGroup(s, 'Night Shift', 7);
    const deps = { config: s.config, store: s.store.store, logger };
    s.notion.clearRequests();

    const dry = asGroup(await provisionUserOrGroupOnDemand(deps, 'Night Shift', { dryRun: true }));
    expect(dry.import).toMatchObject({ found: true, groupId: group.id, displayName: 'Night Shift' });
    expect(dry.scope).toEqual({ assigned: true, inScope: true });
    expect(dry.members).toMatchObject({ inEntra: 7, inScope: 7, limit: 5 });
    expect(dry.members?.provisioned.map((m) => m.userPrincipalName)).toEqual(['shift.00@example.com', 'shift.01@example.com', 'shift.02@example.com', 'shift.03@example.com', 'shift.04@example.com']);
    expect(dry.plan.map((op) => op.kind).sort()).toEqual(['add-members', 'create-group', ...Array(5).fill('create-user')].sort());
    expect(dry.match?.lookup).toContain('it would be created');
    expect(s.writes()).toBe(0);

    const done = asGroup(await provisionUserOrGroupOnDemand(deps, group.id, { dryRun: false }));
    expect(done.result?.summary).toMatchObject({ kind: 'on-demand', status: 'succeeded' });
    const steps = done.result?.log.map((e) => `${e.objectType}:${e.action}.${e.status}`) ?? [];
    expect(steps.filter((step) => step === 'user:create.success')).toHaveLength(5);
    expect(steps).toContain('group:create.success');
    expect(steps.at(-1)).toBe('group:add-members.success');
    expect(done.match).toMatchObject({ linked: true, state: 'active' });
    expect(done.members?.provisioned.every((m) => m.linked)).toBe(true);
    expect(notionGroupMembers(s.notion.workspace, 'Night Shift')).toHaveLength(5);

    // The next cycle provisions the other two.
    await s.sync();
    expect(notionGroupMembers(s.notion.workspace, 'Night Shift')).toHaveLength(7);
    expect(s.differences()).toEqual([]);
  });

  it('counts a member in scope through another assigned group, and one in scope through nothing as out', async () => {
    const s = await synced();
    const assignedGroups = s.tenant.assignments().filter((a) => a.principalType === 'Group').map((a) => a.principalId);
    const directlyAssigned = new Set(s.tenant.assignments().filter((a) => a.principalType === 'User').map((a) => a.principalId));
    const throughAGroup = s.tenant.users().filter((u) => !directlyAssigned.has(u.id) && assignedGroups.some((g) => s.tenant.membersOf(g).includes(u.id))).slice(0, 2);
    expect(throughAGroup).toHaveLength(2);
    const outsider = s.tenant.hireUser({ userPrincipalName: 'outsider@example.com', displayName: 'Outsider' });
    const group = s.tenant.createGroup({ displayName: 'Unassigned Mix' });
    for (const member of [...throughAGroup, outsider]) s.tenant.addMember(group.id, member.id);
    s.notion.clearRequests();

    const dry = asGroup(await provisionUserOrGroupOnDemand({ config: s.config, store: s.store.store, logger }, 'Unassigned Mix', { dryRun: true }));
    expect(dry.scope).toEqual({ assigned: false, inScope: false });
    expect(dry.members).toMatchObject({ inEntra: 3, inScope: 2 });
    expect(s.writes()).toBe(0);
  });

  it('says when no group has the name, and names the candidates when several do', async () => {
    const s = await synced();
    const deps = { config: s.config, store: s.store.store, logger };
    const missing = asGroup(await provisionUserOrGroupOnDemand(deps, 'No Such Group', { dryRun: false }));
    expect(missing.import).toEqual({ found: false });
    expect((await provisionUserOrGroupOnDemand(deps, 'nobody@example.com', { dryRun: false })).import.found).toBe(false);
    const a = s.tenant.createGroup({ displayName: 'Twins' });
    const b = s.tenant.createGroup({ displayName: 'twins' });
    const twins = asGroup(await provisionUserOrGroupOnDemand(deps, 'TWINS', { dryRun: false }));
    expect(twins.import.found).toBe(false);
    expect(twins.import.ambiguous?.map((g) => g.id).sort()).toEqual([a.id, b.id].sort());
    // The exact spelling picks one.
    expect(asGroup(await provisionUserOrGroupOnDemand(deps, 'Twins', { dryRun: true })).import.groupId).toBe(a.id);
  });

  it('empties and keeps a linked group that is no longer assigned, as a cycle would', async () => {
    const s = await synced();
    const { group } = newAssignedGroup(s, 'Leaving Soon', 2);
    const deps = { config: s.config, store: s.store.store, logger };
    await s.sync();
    expect(notionGroupMembers(s.notion.workspace, 'Leaving Soon')).toHaveLength(2);
    s.tenant.unassign(group.id);
    const report = asGroup(await provisionUserOrGroupOnDemand(deps, 'Leaving Soon', { dryRun: false }));
    expect(report.scope).toEqual({ assigned: false, inScope: false });
    expect(report.result?.log.map((e) => `${e.objectType}:${e.action}.${e.status}`)).toEqual(['group:remove-members.success', 'group:disable.success']);
    expect(s.notion.workspace.groups().some((g) => g.displayName === 'Leaving Soon')).toBe(true);
    expect(notionGroupMembers(s.notion.workspace, 'Leaving Soon')).toEqual([]);
  });

  it('changes nothing when a Graph read fails', async () => {
    const s = await synced();
    const { group } = newAssignedGroup(s, 'Fragile', 2);
    const deps = { config: s.config, store: s.store.store, logger };
    s.graph.injectFault({ kind: 'status', status: 400, count: 5, match: { path: /\/members$/ } });
    s.notion.clearRequests();
    await expect(provisionUserOrGroupOnDemand(deps, 'Fragile', { dryRun: false })).rejects.toThrow();
    expect(await readSourceGroups(s.store.store.db, s.config.target, [group.id])).toEqual([]);
    expect(s.writes()).toBe(0);
  });
});
