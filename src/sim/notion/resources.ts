// Renders workspace state as Notion's SCIM JSON: users, groups, list envelopes and the discovery documents.
import { schemaUrn } from './scim-error.js';
import type { NotionGroup, NotionUser, NotionWorkspace } from './workspace.js';

// Real responses point meta.location at app.notion.com whatever host was called (reference §1.1, §2.2).
const locationBase = 'https://app.notion.com/scim/v2';

export type ScimJson = Record<string, unknown>;

/** Notion has a single name field; `displayName` is returned though unmapped (§2.2). */
export function displayNameOf(user: NotionUser): string | undefined {
  const joined = [user.name.givenName, user.name.familyName].filter(Boolean).join(' ');
  return user.name.formatted ?? (joined || undefined);
}

export function renderUser(user: NotionUser): ScimJson {
  const displayName = displayNameOf(user);
  return {
    schemas: [schemaUrn.user],
    id: user.id,
    userName: user.userName,
    name: { ...user.name },
    emails: user.emails.length > 0 ? user.emails : [{ value: user.userName, primary: true }],
    ...(displayName === undefined ? {} : { displayName }),
    active: user.inWorkspace,
    ...optional('title', user.title),
    ...optional('locale', user.locale),
    ...optional('preferredLanguage', user.preferredLanguage),
    ...optional('userType', user.userType),
    ...optional('addresses', user.addresses),
    ...optional('roles', user.roles),
    ...optional('phoneNumbers', user.phoneNumber && [user.phoneNumber]),
    // No externalId: Notion neither stores nor echoes it (§2.1).
    meta: meta('User', user.id, user.created, user.lastModified),
    photos: user.photos ?? [],
    ...(Object.keys(user.enterprise).length > 0 ? { [schemaUrn.enterpriseUser]: user.enterprise } : {}),
    // The role extension is absent on some real users (§2.2).
    ...(user.role ? { [schemaUrn.notionUser]: { role: user.role } } : {}),
  };
}

export function renderGroup(group: NotionGroup, workspace: NotionWorkspace): ScimJson {
  return {
    schemas: [schemaUrn.group],
    id: group.id,
    displayName: group.displayName,
    members: group.members.values().map((userId) => {
      const user = workspace.account(userId);
      return { value: userId, $ref: `${locationBase}/Users/${userId}`, ...(user ? optional('display', displayNameOf(user)) : {}) };
    }),
    meta: meta('Group', group.id, group.created, group.lastModified),
  };
}

export function listResponse(totalResults: number, startIndex: number, resources: ScimJson[]): ScimJson {
  return { schemas: [schemaUrn.listResponse], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** Values observed on a real tenant (§1.4): patch and filter yes; sort, bulk and etag no. */
export function serviceProviderConfig(pageSizeCap: number): ScimJson {
  return {
    schemas: [schemaUrn.serviceProviderConfig],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: pageSizeCap },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Notion SCIM API token', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${locationBase}/ServiceProviderConfig` },
  };
}

/** An RFC ListResponse; whether Notion answers a bare array instead is a gap (§1.4, §5.4 item 9). */
export function resourceTypes(): ScimJson {
  const user = {
    schemas: [schemaUrn.resourceType],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: schemaUrn.user,
    schemaExtensions: [
      { schema: schemaUrn.enterpriseUser, required: false },
      { schema: schemaUrn.notionUser, required: false },
    ],
    meta: { resourceType: 'ResourceType', location: `${locationBase}/ResourceTypes/User` },
  };
  const group = {
    schemas: [schemaUrn.resourceType],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: schemaUrn.group,
    meta: { resourceType: 'ResourceType', location: `${locationBase}/ResourceTypes/Group` },
  };
  return listResponse(2, 1, [user, group]);
}

/** Notion's meta timestamps are epoch-millisecond strings with no meaning (§2.2). */
function meta(resourceType: 'User' | 'Group', id: string, created: number, lastModified: number): ScimJson {
  return { resourceType, created: String(created), lastModified: String(lastModified), location: `${locationBase}/${resourceType}s/${id}` };
}

function optional(key: string, value: unknown): ScimJson {
  return value === undefined ? {} : { [key]: value };
}

export function locationOf(resource: ScimJson): string {
  return (resource.meta as { location: string }).location;
}
