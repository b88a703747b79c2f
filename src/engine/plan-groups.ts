// Group planning (pure): desired groups against their links (and Notion's listing for unlinked ones) → operations.
// A group that leaves scope is emptied and kept linked for a grace period before it is deleted: deleting a Notion
// group loses the page and teamspace permissions granted to it (reference entra-provisioning §9.2).
import type { LoadedConfig } from '../config/index.js';
import { attributeChanges } from './diff.js';
import { matchGroup, type GroupIndex } from './matching.js';
import type { DesiredGroup, LinkView, Operation } from './model.js';
import { observedAttributes } from './observed.js';
import { memberIdsOf } from './verify.js';

export interface GroupPlanSettings {
  /** DELETE groups that leave scope (after the grace period); otherwise they are emptied of our members and kept. */
  deleteGroups: boolean;
  /** Days a group that left scope stays emptied and linked before its DELETE; 0 deletes at once. */
  graceDays: number;
  /** The cycle's clock: when a grace period is over. */
  now: Date;
}

export const groupPlanSettings = (config: LoadedConfig, now: Date): GroupPlanSettings => ({
  deleteGroups: config.provisioning.deleteGroups,
  graceDays: config.provisioning.groupDeleteGraceDays,
  now,
});

const day = 24 * 60 * 60 * 1000;
const dateOf = (at: Date): string => at.toISOString().slice(0, 10);

/** When a group retiring since `since` is deleted. */
export const graceEnds = (since: Date, graceDays: number): Date => new Date(since.getTime() + graceDays * day);

/** A group kept emptied in Notion after it left scope (state disabled, Notion id kept): it is re-linked if it returns. */
const isRetiring = (link: LinkView): boolean => link.state === 'disabled' && link.notionId !== null;

export function planGroup(desired: DesiredGroup, link: LinkView | undefined, settings: GroupPlanSettings, index: GroupIndex | undefined): Operation[] {
  const base = { sourceId: desired.sourceId, name: desired.name };
  const linked = link !== undefined && link.notionId !== null && link.state === 'active';
  if (desired.lifecycle === 'active') {
    if (linked) {
      const changes = attributeChanges(link.applied, desired.attributes, []);
      return changes.patch.length === 0 ? [] : [{ kind: 'rename-group', ...base, reason: 'renamed in Entra', notionId: link.notionId as string, attributes: desired.attributes, ...changes }];
    }
    if (link !== undefined && isRetiring(link)) return [relink(desired, link)];
    const match = index ? matchGroup(index, desired.name) : { kind: 'unknown' as const };
    switch (match.kind) {
      case 'found': {
        const observed = observedAttributes(match.resource, Object.keys(desired.attributes));
        const changes = attributeChanges(observed, desired.attributes, []);
        const listed = Array.isArray(match.resource.members) ? { listedMembers: memberIdsOf([match.resource]) } : {};
        return [{ kind: 'adopt-group', ...base, reason: 'matched existing Notion group by displayName', notionId: match.resource.id, attributes: desired.attributes, ...changes, ...listed }];
      }
      case 'conflict':
        return [{ kind: 'conflict', objectType: 'group', ...base, reason: match.reason }];
      default:
        return [{ kind: 'create-group', ...base, reason: 'in scope, not in Notion', attributes: desired.attributes, lookupFirst: match.kind === 'unknown' }];
    }
  }
  if (link === undefined || link.notionId === null) return [];
  const why = desired.lifecycle === 'deleted' ? 'deleted in Entra' : 'unassigned or out of scope';
  const notionId = link.notionId;
  if (linked) {
    if (settings.deleteGroups && settings.graceDays === 0) return [{ kind: 'delete-group', ...base, reason: why, notionId }];
    const since = settings.now;
    const kept = settings.deleteGroups
      ? `emptied and kept for the ${settings.graceDays}-day grace period (deleted on or after ${dateOf(graceEnds(since, settings.graceDays))} unless it returns)`
      : 'emptied and kept; group deletes are off';
    return [{ kind: 'retire-group', ...base, reason: `${why}; ${kept}`, notionId }];
  }
  // In its grace period: nothing to send until it is over (a return is handled above).
  if (!isRetiring(link) || !link.retiringSince || !settings.deleteGroups) return [];
  if (settings.now < graceEnds(link.retiringSince, settings.graceDays)) return [];
  return [{ kind: 'delete-group', ...base, reason: `left scope on ${dateOf(link.retiringSince)}; deleted after the ${settings.graceDays}-day grace period`, notionId }];
}

/** Back in scope while kept: the same Notion group is linked again (its members are added back), never a new one. */
function relink(desired: DesiredGroup, link: LinkView): Operation {
  const changes = attributeChanges(link.applied, desired.attributes, []);
  const since = link.retiringSince ? ` (it left scope on ${dateOf(link.retiringSince)})` : '';
  return {
    kind: 'adopt-group', sourceId: desired.sourceId, name: desired.name, reason: `back in scope${since}: re-linked to the Notion group kept for it`,
    notionId: link.notionId as string, attributes: desired.attributes, ...changes,
  };
}

export function planGroupChanges(
  desired: readonly DesiredGroup[],
  links: ReadonlyMap<string, LinkView>,
  settings: GroupPlanSettings,
  index: GroupIndex | undefined,
): Operation[] {
  return desired.flatMap((group) => planGroup(group, links.get(group.sourceId), settings, index));
}
