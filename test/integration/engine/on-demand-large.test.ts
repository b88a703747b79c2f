// On-demand provisioning in a tenant whose assignment listing takes three pages (issue 14): a user and a group are
// provisioned as before, from the assignments of the principals concerned only; the app's listing is never read, and
// the mirror keeps every other principal's rows as its last cycle left them.
import { expect, it } from 'vitest';
import { planCycle, provisionOnDemand, provisionUserOrGroupOnDemand, type GroupOnDemandReport } from '../../../src/engine/index.js';
import { createLogger } from '../../../src/observe/index.js';
import { engineSessionPerTest } from '../../helpers/engine-session.js';
import { notionGroupMembers, notionUser } from '../../helpers/tenant-picks.js';
import { readAssignmentRows } from '../../helpers/whole-tables.js';

const { open } = engineSessionPerTest();
const logger = createLogger({ level: 'silent' });

it('provisions a user and a group among 2,500 assignments without listing them, leaving the other principals\' rows', async () => {
  const s = await open({ tenant: { seed: 61, users: 2600, groups: 30, directAssignmentShare: 0.95, assignedGroupShare: 0.5 } });
  expect(Math.ceil(s.tenant.assignments().length / 999)).toBe(3);
  const deps = { config: s.config, store: s.store.store, logger };
  const target = s.config.target;
  // The mirror holds the whole listing, as a cycle's import leaves it (a dry run: nothing is sent to Notion).
  await planCycle(deps);
  const rowsOf = async () => (await readAssignmentRows(s.store.store.db, target)).map(({ id, principalId, appRoleId }) => ({ id, principalId, appRoleId }))
    .sort((a, b) => a.id.localeCompare(b.id));
  expect((await rowsOf()).length).toBe(s.tenant.assignments().length);

  const hire = s.tenant.hireUser({ userPrincipalName: 'on.demand@example.com', displayName: 'On Demand' });
  const colleague = s.tenant.hireUser({ userPrincipalName: 'colleague@example.com', displayName: 'Colleague' });
  const shift = s.tenant.createGroup({ displayName: 'Late Shift' });
  for (const user of [hire, colleague]) s.tenant.addMember(shift.id, user.id);
  s.tenant.assign(shift.id);
  // Unassigned since the last listing: not a principal either provisioning concerns, so its row stays for the next cycle.
  const other = s.tenant.assignments().find((row) => row.principalType === 'User')!;
  s.tenant.unassign(other.principalId);
  const before = await rowsOf();
  s.graph.clearRequests();

  const user = await provisionOnDemand(deps, hire.id, { dryRun: false });
  expect(user.scope).toMatchObject({ assigned: true, inScope: true });
  expect(user.result?.summary).toMatchObject({ kind: 'on-demand', status: 'succeeded' });
  expect(user.result?.log.map((e) => `${e.action}.${e.status}`)).toEqual(['create.success']);
  expect(notionUser(s.notion.workspace, 'on.demand@example.com')?.inWorkspace).toBe(true);

  const group = await provisionUserOrGroupOnDemand(deps, 'Late Shift', { dryRun: false }) as GroupOnDemandReport;
  expect(group.scope).toEqual({ assigned: true, inScope: true });
  expect(group.members).toMatchObject({ inEntra: 2, inScope: 2 });
  expect(group.result?.summary).toMatchObject({ kind: 'on-demand', status: 'succeeded' });
  expect(notionGroupMembers(s.notion.workspace, 'Late Shift').sort()).toEqual(['colleague@example.com', 'on.demand@example.com']);

  // Each read of assignments named the principal it wanted: never the listing of the app's 2,500. None of these
  // principals had a mirrored row to ask for by id.
  const assignmentReads = s.graph.requests().filter((record) => record.route.startsWith('/v1.0/servicePrincipals/{id}/appRoleAssignedTo'));
  expect(assignmentReads.map((record) => record.route).every((route) => route === '/v1.0/servicePrincipals/{id}/appRoleAssignedTo')).toBe(true);
  const filtered = (name: string) => expect.stringContaining(`$filter=principalDisplayName eq '${name}'&`);
  expect(assignmentReads.map((record) => decodeURIComponent(record.path))).toEqual([
    filtered('On Demand'), filtered('Late Shift'), // the user, and its one group
    filtered('Late Shift'), filtered('Colleague'), filtered('On Demand'), // the group, and its members chosen (by userPrincipalName)
  ]);
  const after = await rowsOf();
  const concerned = new Set([hire.id, colleague.id, shift.id]);
  expect(after.filter((row) => !concerned.has(row.principalId))).toEqual(before.filter((row) => !concerned.has(row.principalId)));
  expect(after.some((row) => row.principalId === other.principalId)).toBe(true);
  expect(after.filter((row) => row.principalId === shift.id)).toHaveLength(1);
});
