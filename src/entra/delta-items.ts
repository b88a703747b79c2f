// Narrows delta page objects into mirror writes: attributes, `@removed` reasons, `members@delta` edges. An item
// that is not the documented shape throws a `malformed` GraphReadError: the read fails closed (principle 7).
import type { MembershipWrite, MirrorObjectWrite, RemovedReason } from '../store/index.js';
import { cleanAttributes } from './clean-text.js';
import { GraphReadError } from './graph-errors.js';
import type { GraphObject } from './graph-page.js';

const MEMBER_TYPES: Record<string, 'user' | 'group'> = { '#microsoft.graph.user': 'user', '#microsoft.graph.group': 'group' };

/** Told which attributes of which object had characters the store cannot hold (clean-text.ts), to log it. */
export type OnCleaned = (objectId: string, attributes: string[]) => void;

export function toObjectWrite(item: GraphObject, onCleaned?: OnCleaned): MirrorObjectWrite {
  const id = requireId(item, 'a delta item');
  const removed = removedReasonOf(item, `object ${id}`);
  if (removed) return { id, attributes: null, removedReason: removed };
  // Annotations (`@odata.type`, `members@delta`) are Graph's framing, not attributes the mapping reads.
  const cleaned = cleanAttributes(Object.fromEntries(Object.entries(item).filter(([name]) => !name.includes('@'))));
  if (cleaned.repaired.length > 0) onCleaned?.(id, cleaned.repaired);
  return { id, attributes: cleaned.attributes, removedReason: null };
}

/** `members@delta` of a group item: adds, and removals marked `@removed` (reference §1.1). Devices, contacts
 *  and service principals can be members too; Notion has only users and groups, so they are skipped. An entry
 *  without an id or type cannot be told apart from a removal we would miss, so it fails the read. */
export function toMembershipWrites(item: GraphObject): MembershipWrite[] {
  const groupId = requireId(item, 'a group delta item');
  const entries = item['members@delta'];
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw malformed(`group ${groupId}: members@delta is not an array`);
  const writes: MembershipWrite[] = [];
  for (const [index, entry] of (entries as unknown[]).entries()) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw malformed(`group ${groupId}: members@delta entry ${index} is not an object`);
    const member = entry as GraphObject;
    const memberId = requireId(member, `group ${groupId}: members@delta entry ${index}`);
    const odataType = member['@odata.type'];
    if (typeof odataType !== 'string') throw malformed(`group ${groupId}: members@delta entry ${memberId} has no @odata.type`);
    const memberType = MEMBER_TYPES[odataType];
    const removed = removedReasonOf(member, `group ${groupId}: member ${memberId}`) !== null;
    if (memberType) writes.push({ groupId, memberId, memberType, removed });
  }
  return writes;
}

/** `changed` = soft-deleted (restorable), `deleted` = gone for good (reference §1.1); any other shape is refused. */
function removedReasonOf(item: GraphObject, what: string): RemovedReason | null {
  if (!('@removed' in item)) return null;
  const removed = item['@removed'];
  const reason = typeof removed === 'object' && removed !== null ? (removed as GraphObject).reason : undefined;
  if (reason === 'changed' || reason === 'deleted') return reason;
  throw malformed(`${what}: @removed has the unknown reason ${JSON.stringify(reason) ?? 'undefined'}`);
}

function requireId(item: GraphObject, what: string): string {
  if (typeof item.id !== 'string' || item.id === '') throw malformed(`${what} has no string "id"`);
  return item.id;
}

function malformed(problem: string): GraphReadError {
  return new GraphReadError('malformed', `Graph delta ${problem}; the read stops (nothing is removed on a malformed page)`);
}
