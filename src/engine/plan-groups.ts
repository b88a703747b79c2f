// Group planning (pure): desired groups against their links (and Notion's listing for unlinked ones) → operations.
import { attributeChanges } from './diff.js';
import { matchGroup, type GroupIndex } from './matching.js';
import type { DesiredGroup, LinkView, Operation } from './model.js';
import { observedAttributes } from './observed.js';

export interface GroupPlanSettings {
  /** DELETE groups that leave scope; otherwise they are emptied of our members and left in Notion. */
  deleteGroups: boolean;
}

export function planGroup(desired: DesiredGroup, link: LinkView | undefined, settings: GroupPlanSettings, index: GroupIndex | undefined): Operation[] {
  const base = { sourceId: desired.sourceId, name: desired.name };
  const linked = link !== undefined && link.notionId !== null && link.state === 'active';
  if (desired.lifecycle === 'active') {
    if (linked) {
      const changes = attributeChanges(link.applied, desired.attributes, []);
      return changes.patch.length === 0 ? [] : [{ kind: 'rename-group', ...base, reason: 'renamed in Entra', notionId: link.notionId as string, attributes: desired.attributes, ...changes }];
    }
    const match = index ? matchGroup(index, desired.name) : { kind: 'unknown' as const };
    switch (match.kind) {
      case 'found': {
        const observed = observedAttributes(match.resource, Object.keys(desired.attributes));
        const changes = attributeChanges(observed, desired.attributes, []);
        return [{ kind: 'adopt-group', ...base, reason: 'matched existing Notion group by displayName', notionId: match.resource.id, attributes: desired.attributes, ...changes }];
      }
      case 'conflict':
        return [{ kind: 'conflict', objectType: 'group', ...base, reason: match.reason }];
      default:
        return [{ kind: 'create-group', ...base, reason: 'in scope, not in Notion', attributes: desired.attributes, lookupFirst: match.kind === 'unknown' }];
    }
  }
  if (!linked) return [];
  const reason = desired.lifecycle === 'deleted' ? 'deleted in Entra' : 'unassigned or out of scope';
  const notionId = link.notionId as string;
  return [settings.deleteGroups ? { kind: 'delete-group', ...base, reason, notionId } : { kind: 'retire-group', ...base, reason: `${reason}; group deletes are off`, notionId }];
}

export function planGroupChanges(
  desired: readonly DesiredGroup[],
  links: ReadonlyMap<string, LinkView>,
  settings: GroupPlanSettings,
  index: GroupIndex | undefined,
): Operation[] {
  return desired.flatMap((group) => planGroup(group, links.get(group.sourceId), settings, index));
}
