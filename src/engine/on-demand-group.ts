// On-demand provisioning of one group, as Entra's (reference entra-provisioning §9.1): import the group and its
// members, determine its scope, match it, then create or link it, create or link up to five of its in-scope members
// and add them to it (or, dry, only plan that). A Graph read that fails changes nothing (one-group.ts).
import { compileMapping } from '../mapping/index.js';
import { silentProgress } from '../observe/index.js';
import { queryLog, readAssignmentsOf, readInScopeIds, readLink, readSourceGroups, type ProvisioningLogRow } from '../store/index.js';
import { createNotionClient, createSource } from './clients.js';
import { runCycle, type CycleDependencies } from './cycle.js';
import { planOperations, type Operation } from './model.js';
import { importOptionsFor, prepareCycle } from './prepare.js';
import type { CycleSummary } from './summary.js';

/** Entra's on-demand provisioning of a group takes at most five of its users (reference entra-provisioning §9.1). */
export const ON_DEMAND_GROUP_MEMBER_LIMIT = 5;

export interface GroupOnDemandReport {
  kind: 'group';
  import: {
    found: boolean;
    groupId?: string;
    displayName?: string;
    removed?: string | null;
    /** Several Entra groups carry the name asked for: none was chosen. */
    ambiguous?: Array<{ id: string; displayName: string }>;
  };
  scope?: { assigned: boolean; inScope: boolean };
  members?: { inEntra: number; inScope: number; limit: number; provisioned: Array<{ userId: string; userPrincipalName: string; linked: boolean; state?: string }> };
  match?: { linked: boolean; state?: string; notionId?: string | null; lookup?: string };
  plan: Operation[];
  /** Set when the action was applied (not a dry run). */
  result?: { summary: CycleSummary; log: ProvisioningLogRow[] };
}

export async function provisionGroupOnDemand(deps: CycleDependencies, idOrName: string, options: { dryRun: boolean }): Promise<GroupOnDemandReport> {
  const { config, store, logger } = deps;
  const db = store.db;
  const target = config.target;
  const mapping = compileMapping(config.mapping);
  const source = createSource(config, logger, deps.signal);
  const imported = await source.importOneGroup(db, target, idOrName, importOptionsFor(config, mapping, false, silentProgress), ON_DEMAND_GROUP_MEMBER_LIMIT);
  if (!imported.found) return { kind: 'group', import: { found: false, ...(imported.candidates ? { ambiguous: imported.candidates } : {}) }, plan: [] };
  const { groupId } = imported;

  const [row] = await readSourceGroups(db, target, [groupId]);
  const inScope = await readInScopeIds(db, target, 'group', { scope: config.entra.scope, transitiveGroups: config.entra.transitiveGroups }, [groupId]);
  const assigned = (await readAssignmentsOf(db, target, [groupId])).length > 0;
  const link = await readLink(db, target, 'group', groupId);
  const userIds = imported.chosen.map((m) => m.id);
  const memberLinks = async () => Promise.all(imported.chosen.map(async (m) => {
    const memberLink = await readLink(db, target, 'user', m.id);
    return { userId: m.id, userPrincipalName: m.userPrincipalName, linked: memberLink?.notionId != null, ...(memberLink ? { state: memberLink.state } : {}) };
  }));
  const report: GroupOnDemandReport = {
    kind: 'group',
    import: { found: true, groupId, displayName: await displayNameOf(deps, groupId), removed: row?.removedReason ?? null },
    scope: { assigned, inScope: inScope.has(groupId) },
    members: { inEntra: imported.userMembers, inScope: imported.inScopeMembers, limit: ON_DEMAND_GROUP_MEMBER_LIMIT, provisioned: await memberLinks() },
    match: link ? { linked: link.notionId !== null, state: link.state, notionId: link.notionId } : { linked: false },
    plan: [],
  };

  if (options.dryRun) {
    const scim = createNotionClient(config, logger);
    try {
      const now = (deps.now ?? (() => new Date()))();
      const prepared = await prepareCycle({
        config, db, source, scim, progress: silentProgress, mapping, now, mode: 'incremental', forceDeletes: false, onlyUsers: userIds, onlyGroups: [groupId], skipImport: true,
      });
      report.plan = planOperations(prepared.plan);
      const create = report.plan.find((op) => op.kind === 'create-group');
      if (create) {
        const found = await scim.findGroupsByDisplayName(create.name);
        report.match = { linked: false, lookup: found.length === 0 ? 'no Notion group has this displayName: it would be created' : `${found.length} Notion group(s) match: ${found.map((g) => g.id).join(', ')}` };
      }
    } finally {
      await scim.close();
    }
    return report;
  }
  const summary = await runCycle(deps, { kindLabel: 'on-demand', onlyUsers: userIds, onlyGroups: [groupId] });
  const log = summary.status === 'locked' ? [] : (await queryLog(db, { target, cycleId: summary.cycleId, limit: 100 })).reverse();
  report.result = { summary, log };
  const after = await readLink(db, target, 'group', groupId);
  if (after) report.match = { ...report.match, linked: after.notionId !== null, state: after.state, notionId: after.notionId };
  if (report.members) report.members.provisioned = await memberLinks();
  return report;
}

async function displayNameOf(deps: CycleDependencies, groupId: string): Promise<string | undefined> {
  const [row] = await readSourceGroups(deps.store.db, deps.config.target, [groupId]);
  const name = row?.attributes.displayName;
  return typeof name === 'string' ? name : undefined;
}
