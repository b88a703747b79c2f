// How Graph shapes users and groups in answers: default property sets, `$select` (case-insensitive names,
// unknown names are a 400) and the `@odata.type` carried by directoryObject collections.
import { GraphHttpError } from './http.js';
import type { SimGroup, SimUser } from './model.js';

type Json = Record<string, unknown>;

/** GET /users and users/delta return these when no `$select` is given (Graph docs, user-list / user-delta). */
export const USER_DEFAULT_PROPERTIES = [
  'businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'surname', 'userPrincipalName',
] as const;

const USER_PROPERTIES = [
  ...USER_DEFAULT_PROPERTIES, 'accountEnabled', 'department', 'employeeId', 'userType', 'otherMails', 'externalUserState', 'deletedDateTime',
];

export const GROUP_DEFAULT_PROPERTIES = [
  'id', 'createdDateTime', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname',
  'securityEnabled', 'deletedDateTime',
] as const;

const GROUP_PROPERTIES: readonly string[] = GROUP_DEFAULT_PROPERTIES;

export type ObjectKind = 'user' | 'group';

/**
 * Parses `$select` into canonical property names. `null` means none was given. `extra` names properties
 * the endpoint accepts besides the type's own (delta's `members`).
 */
export function parseSelect(raw: string | null, kinds: readonly ObjectKind[], extra: readonly string[] = []): string[] | null {
  if (raw === null || raw.trim() === '') return null;
  const known = new Map<string, string>();
  for (const name of [...extra, ...kinds.flatMap((kind) => (kind === 'user' ? USER_PROPERTIES : GROUP_PROPERTIES))]) {
    known.set(name.toLowerCase(), name);
  }
  return raw.split(',').map((part) => {
    const name = known.get(part.trim().toLowerCase());
    if (!name) {
      throw new GraphHttpError(400, 'Request_BadRequest',
        `Could not find a property named '${part.trim()}' on type 'microsoft.graph.${kinds[0]}'.`);
    }
    return name;
  });
}

function userValue(user: SimUser, name: string): unknown {
  switch (name) {
    case 'businessPhones': return [];
    case 'officeLocation':
    case 'preferredLanguage': return null;
    default: return user[name as keyof SimUser];
  }
}

function groupValue(group: SimGroup, name: string): unknown {
  if (name === 'mail') return null;
  if (name === 'deletedDateTime') return null;
  return group[name as keyof SimGroup];
}

/** A user as Graph returns it: `id` always, then the selected (or default) properties. */
export function projectUser(user: SimUser, select: readonly string[] | null): Json {
  const out: Json = { id: user.id };
  for (const name of select ?? USER_DEFAULT_PROPERTIES) {
    if (name !== 'id' && USER_PROPERTIES.includes(name)) out[name] = userValue(user, name);
  }
  return out;
}

export function projectGroup(group: SimGroup, select: readonly string[] | null): Json {
  const out: Json = { id: group.id };
  for (const name of select ?? GROUP_DEFAULT_PROPERTIES) {
    if (name !== 'id' && GROUP_PROPERTIES.includes(name)) out[name] = groupValue(group, name);
  }
  return out;
}

export const ODATA_TYPE: Record<ObjectKind, string> = {
  user: '#microsoft.graph.user',
  group: '#microsoft.graph.group',
};
