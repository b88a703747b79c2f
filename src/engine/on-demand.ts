// On-demand provisioning of one user, step by step like Entra's (reference entra-provisioning §5.4): import the user,
// determine scope with each scoping clause's verdict, match, then perform (or, dry, only plan) the action. A name that
// is no user's is tried as a group (on-demand-group.ts).
import { looksLikeObjectId } from '../entra/index.js';
import { compileMapping, explainUser, type Explanation } from '../mapping/index.js';
import { silentProgress } from '../observe/index.js';
import { explainScimFailure, ScimError } from '../scim/index.js';
import { queryLog, readInScopeIds, readLink, readSourceUsers, type ProvisioningLogRow } from '../store/index.js';
import { createNotionClient, createSource } from './clients.js';
import { runCycle, type CycleDependencies } from './cycle.js';
import { planOperations, type Operation } from './model.js';
import { provisionGroupOnDemand, type GroupOnDemandReport } from './on-demand-group.js';
import { importOptionsFor, prepareCycle } from './prepare.js';
import type { CycleSummary } from './summary.js';

export interface OnDemandReport {
  import: { found: boolean; userId?: string; removed?: string | null };
  scope?: Explanation & { accountEnabled: unknown };
  match?: { linked: boolean; state?: string; notionId?: string | null; lookup?: string };
  plan: Operation[];
  /** Set when the action was applied (not a dry run). */
  result?: { summary: CycleSummary; log: ProvisioningLogRow[] };
  /** Set when the match step failed (what was to be done, and why not): nothing was sent, and no cycle ran. */
  failure?: { action: 'create'; reason: string };
}

/** The userName a create would send: null when the user is not to be created (out of scope, linked, a skipped guest). */
function userNameToCreate(explanation: Explanation, linked: boolean): string | null {
  if (linked || !explanation.inScope || explanation.guest?.skipped) return null;
  const attribute = explanation.attributes.find((a) => a.target === 'userName' && (a.outcome === 'value' || a.outcome === 'default'));
  return typeof attribute?.result === 'string' ? attribute.result : null;
}

const lookupVerdict = (found: Array<{ userName: string }>, create: string): string =>
  found.length === 0 ? `no Notion user has this userName or email: it ${create}` : `${found.length} Notion user(s) match: ${found.map((u) => u.userName).join(', ')}`;

export async function provisionOnDemand(deps: CycleDependencies, idOrUpn: string, options: { dryRun: boolean }): Promise<OnDemandReport> {
  const { config, store, logger } = deps;
  const db = store.db;
  const target = config.target;
  const mapping = compileMapping(config.mapping);
  const now = (deps.now ?? (() => new Date()))();
  const source = createSource(config, logger, deps.signal);
  const imported = await source.importOneUser(db, target, idOrUpn, importOptionsFor(config, mapping, false, silentProgress));
  if (!imported.found || !imported.userId) return { import: { found: false }, plan: [] };
  const userId = imported.userId;

  const [row] = await readSourceUsers(db, target, [userId]);
  const inScope = await readInScopeIds(db, target, 'user', { scope: config.entra.scope, transitiveGroups: config.entra.transitiveGroups }, [userId]);
  const explanation = explainUser(
    mapping,
    { id: userId, attributes: row?.attributes ?? {}, assigned: inScope.has(userId), softDeleted: row?.removedReason === 'changed', appRoleAssignments: [] },
    { now, random: Math.random },
  );
  const link = await readLink(db, target, 'user', userId);
  const report: OnDemandReport = {
    import: { found: true, userId, removed: row?.removedReason ?? null },
    scope: { ...explanation, accountEnabled: row?.attributes.accountEnabled },
    match: link ? { linked: true, state: link.state, notionId: link.notionId } : { linked: false },
    plan: [],
  };

  if (options.dryRun) {
    const scim = createNotionClient(config, logger);
    try {
      const prepared = await prepareCycle({ config, db, source, scim, progress: silentProgress, mapping, now, mode: 'incremental', forceDeletes: false, onlyUsers: [userId], skipImport: true });
      report.plan = planOperations(prepared.plan);
      const create = report.plan.find((op) => op.kind === 'create-user');
      if (create && create.kind === 'create-user') {
        const found = await scim.findUsersByUserName(String(create.attributes.userName));
        report.match = { linked: false, lookup: lookupVerdict(found, 'would be created') };
      }
    } finally {
      await scim.close();
    }
    return report;
  }
  // Match first, as Entra's on-demand does: a Notion that refuses the lookup (a revoked token, an outage) would refuse
  // the create too, and the report says why in Notion's words rather than only that the cycle failed.
  const userName = userNameToCreate(explanation, link !== undefined);
  if (userName !== null) {
    const scim = createNotionClient(config, logger);
    try {
      report.match = { linked: false, lookup: lookupVerdict(await scim.findUsersByUserName(userName), 'is created now') };
    } catch (error) {
      report.failure = { action: 'create', reason: error instanceof ScimError ? explainScimFailure(error) : error instanceof Error ? error.message : String(error) };
      return report;
    } finally {
      await scim.close();
    }
  }
  const summary = await runCycle(deps, { kindLabel: 'on-demand', onlyUsers: [userId] });
  const log = summary.status === 'locked' ? [] : (await queryLog(db, { target, cycleId: summary.cycleId, limit: 100 })).reverse();
  report.result = { summary, log };
  const after = await readLink(db, target, 'user', userId);
  if (after) report.match = { ...report.match, linked: true, state: after.state, notionId: after.notionId };
  return report;
}

export type AnyOnDemandReport = ({ kind: 'user' } & OnDemandReport) | GroupOnDemandReport;

/**
 * `provision <user|group>`: a userPrincipalName (it has an @) or an object id is tried as a user first; what no user
 * has is a group's object id or displayName. Found neither way: the group report says so (found=false).
 */
export async function provisionUserOrGroupOnDemand(deps: CycleDependencies, idUpnOrName: string, options: { dryRun: boolean }): Promise<AnyOnDemandReport> {
  const name = idUpnOrName.trim();
  if (name.includes('@') || looksLikeObjectId(name)) {
    const user = await provisionOnDemand(deps, name, options);
    if (user.import.found) return { kind: 'user', ...user };
  }
  return provisionGroupOnDemand(deps, name, options);
}
