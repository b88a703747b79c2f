// Narrows delta page objects (unknown JSON) into mirror writes: attributes, `@removed` reasons, `members@delta` edges.
import type { MembershipWrite, MirrorObjectWrite, RemovedReason } from '../store/index.js';
import type { GraphObject } from './graph-reader.js';

const MEMBER_TYPES: Record<string, 'user' | 'group'> = { '#microsoft.graph.user': 'user', '#microsoft.graph.group': 'group' };

export function toObjectWrite(item: GraphObject): MirrorObjectWrite | null {
  if (typeof item.id !== 'string') return null;
  const removed = removedReasonOf(item);
  if (removed) return { id: item.id, attributes: null, removedReason: removed };
  // Annotations (`@odata.type`, `members@delta`) are Graph's framing, not attributes the mapping reads.
  const attributes = Object.fromEntries(Object.entries(item).filter(([name]) => !name.includes('@')));
  return { id: item.id, attributes, removedReason: null };
}

/** `members@delta` of a group item: adds, and removals marked `@removed` (reference §1.1). Devices, contacts
 *  and service principals can be members too; Notion has only users and groups, so they are skipped. */
export function toMembershipWrites(item: GraphObject): MembershipWrite[] {
  const entries = item['members@delta'];
  if (typeof item.id !== 'string' || !Array.isArray(entries)) return [];
  const writes: MembershipWrite[] = [];
  for (const entry of entries as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const member = entry as GraphObject;
    const memberType = MEMBER_TYPES[String(member['@odata.type'])];
    if (typeof member.id !== 'string' || !memberType) continue;
    writes.push({ groupId: item.id, memberId: member.id, memberType, removed: removedReasonOf(member) !== null });
  }
  return writes;
}

/** `changed` = soft-deleted (restorable), `deleted` = gone for good; any other reason is read as `changed`. */
function removedReasonOf(item: GraphObject): RemovedReason | null {
  const removed = item['@removed'];
  if (typeof removed !== 'object' || removed === null) return null;
  return (removed as GraphObject).reason === 'deleted' ? 'deleted' : 'changed';
}
