// Graph's directory reads other than delta: users, groups, a group's (transitive) members, the service
// principal and its appRoleAssignedTo, with `$select`, `$top` (1..999, default 100) and `@odata.nextLink`.
import { GraphHttpError, notFound } from './http.js';
import type { SimAssignment } from './model.js';
import { ODATA_TYPE, parseSelect, projectGroup, projectUser, type ObjectKind } from './projection.js';
import type { SimTenant } from './tenant.js';

type Json = Record<string, unknown>;

/** The one app role besides Default Access that a gallery app like Notion exposes. */
export const USER_ROLE_ID = '2b0a7e4c-5a8f-4c39-9e4a-0c1f00d0e001';

export interface Collection {
  value: Json[];
  nextLink: string | null;
}

/** `$top` on list endpoints: default 100, at most 999 (Graph docs user-list, group-list-members). */
function pageSizeOf(params: URLSearchParams): number {
  const raw = params.get('$top');
  if (raw === null) return 100;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    throw new GraphHttpError(400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`);
  }
  return top;
}

/** Slices one page; the `$skiptoken` is the offset, opaque to clients, carried with the original query. */
function pageOf<T>(items: readonly T[], params: URLSearchParams, url: URL, render: (item: T) => Json): Collection {
  const skip = params.get('$skiptoken');
  const offset = skip === null ? 0 : Number(Buffer.from(skip, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new GraphHttpError(400, 'Request_BadRequest', 'Invalid skip token.');
  const size = pageSizeOf(params);
  const value = items.slice(offset, offset + size).map(render);
  if (offset + size >= items.length) return { value, nextLink: null };
  const next = new URL(url.href);
  next.searchParams.set('$skiptoken', Buffer.from(String(offset + size)).toString('base64url'));
  return { value, nextLink: next.href };
}

export class DirectoryReader {
  constructor(private readonly tenant: SimTenant) {}

  /** GET /users/{id | userPrincipalName}; soft-deleted users are not found. */
  user(idOrUpn: string, params: URLSearchParams): Json {
    const select = parseSelect(params.get('$select'), ['user']);
    let user = this.tenant.findUser(idOrUpn);
    if (!user && idOrUpn.includes('@')) {
      const upn = idOrUpn.toLowerCase();
      for (const id of this.tenant.userIds()) {
        const candidate = this.tenant.findUser(id);
        if (candidate?.userPrincipalName.toLowerCase() === upn) user = candidate;
      }
    }
    if (!user || user.deletedDateTime) throw notFound(idOrUpn);
    return projectUser(user, select);
  }

  users(params: URLSearchParams, url: URL): Collection {
    const select = parseSelect(params.get('$select'), ['user']);
    const live = this.tenant.userIds().filter((id) => !this.tenant.findUser(id)?.deletedDateTime);
    return pageOf(live, params, url, (id) => projectUser(this.tenant.findUser(id)!, select));
  }

  group(id: string, params: URLSearchParams): Json {
    const select = parseSelect(params.get('$select'), ['group']);
    const group = this.tenant.findGroup(id);
    if (!group) throw notFound(id);
    return projectGroup(group, select);
  }

  /** GET /groups, with `$filter=displayName eq '…'` (quotes doubled) as on-demand provisioning of a group uses it. */
  groups(params: URLSearchParams, url: URL): Collection {
    const select = parseSelect(params.get('$select'), ['group']);
    const filter = params.get('$filter');
    let ids = this.tenant.groupIds();
    if (filter !== null) {
      const name = /^displayName eq '((?:[^']|'')*)'$/.exec(filter.trim())?.[1];
      if (name === undefined) throw new GraphHttpError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${filter}'.`);
      const wanted = name.replaceAll("''", "'");
      // Directory string comparisons ignore case.
      ids = ids.filter((id) => this.tenant.findGroup(id)?.displayName.toLowerCase() === wanted.toLowerCase());
    }
    return pageOf(ids, params, url, (id) => projectGroup(this.tenant.findGroup(id)!, select));
  }

  /** GET /groups/{id}/members: direct members as directoryObjects, each with its `@odata.type`. */
  members(groupId: string, params: URLSearchParams, url: URL): Collection {
    if (!this.tenant.findGroup(groupId)) throw notFound(groupId);
    return this.directoryObjects(this.tenant.membersOf(groupId), params, url);
  }

  /** GET /groups/{id}/transitiveMembers: members of nested groups too (and the nested groups), once each. */
  transitiveMembers(groupId: string, params: URLSearchParams, url: URL): Collection {
    if (!this.tenant.findGroup(groupId)) throw notFound(groupId);
    const seen = new Set<string>();
    const queue = [groupId];
    for (let index = 0; index < queue.length; index += 1) {
      for (const memberId of this.tenant.membersOf(queue[index] as string)) {
        if (seen.has(memberId) || memberId === groupId) continue;
        seen.add(memberId);
        if (this.tenant.memberTypeOf(memberId) === 'group') queue.push(memberId);
      }
    }
    return this.directoryObjects([...seen], params, url);
  }

  /** GET /users/{id | userPrincipalName}/memberOf: the groups the user is a direct member of (on-demand reads). */
  memberOf(idOrUpn: string, params: URLSearchParams, url: URL): Collection {
    const user = this.user(idOrUpn, new URLSearchParams());
    const groupIds = this.tenant.groupIds().filter((groupId) => this.tenant.membersOf(groupId).includes(user.id as string));
    return this.directoryObjects(groupIds, params, url);
  }

  servicePrincipal(id: string, params: URLSearchParams): Json {
    this.checkServicePrincipal(id);
    const select = params.get('$select')?.split(',').map((name) => name.trim());
    const full: Json = {
      id: this.tenant.servicePrincipalId,
      appId: this.tenant.appId,
      appDisplayName: this.tenant.appDisplayName,
      displayName: this.tenant.appDisplayName,
      servicePrincipalType: 'Application',
      accountEnabled: true,
      appRoleAssignmentRequired: true,
      appRoles: [{
        allowedMemberTypes: ['User'], description: 'User', displayName: 'User', id: USER_ROLE_ID, isEnabled: true,
        origin: 'Application', value: null,
      }],
    };
    if (!select) return full;
    return Object.fromEntries(Object.entries(full).filter(([name]) => name === 'id' || select.includes(name)));
  }

  /**
   * GET /servicePrincipals/{id}/appRoleAssignedTo: users and groups assigned to the app (no delta exists). `$filter`
   * as Graph takes it on this list: `principalDisplayName eq '…'` (quotes doubled, case ignored); a filter on
   * principalId, appRoleId or anything else is refused, as Graph refuses it (approleassignment resource: of the
   * principal's properties only principalDisplayName supports `$filter`).
   */
  appRoleAssignedTo(id: string, params: URLSearchParams, url: URL): Collection {
    this.checkServicePrincipal(id);
    let assignments = [...this.tenant.liveAssignments()];
    const filter = params.get('$filter');
    if (filter !== null) {
      const name = /^principalDisplayName eq '((?:[^']|'')*)'$/.exec(filter.trim())?.[1];
      if (name === undefined) throw new GraphHttpError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${filter}'.`);
      const wanted = name.replaceAll("''", "'").toLowerCase();
      assignments = assignments.filter((assignment) => assignment.principalDisplayName.toLowerCase() === wanted);
    }
    return pageOf(assignments, params, url, (assignment) => renderAssignment(assignment));
  }

  /** GET /servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}: one assignment, 404 once it is gone. */
  appRoleAssignment(id: string, assignmentId: string): Json {
    this.checkServicePrincipal(id);
    const assignment = [...this.tenant.liveAssignments()].find((candidate) => candidate.id === assignmentId);
    if (!assignment) throw notFound(assignmentId);
    return renderAssignment(assignment);
  }

  /** Accepts the object id, or `(appId='…')` as Graph's alternate key. */
  private checkServicePrincipal(id: string): void {
    const byAppId = /^\(appId='([^']+)'\)$/.exec(id)?.[1];
    if (id === this.tenant.servicePrincipalId || byAppId === this.tenant.appId) return;
    throw notFound(byAppId ?? id);
  }

  private directoryObjects(ids: string[], params: URLSearchParams, url: URL): Collection {
    const select = parseSelect(params.get('$select'), ['user', 'group']);
    return pageOf(ids, params, url, (id) => {
      const kind: ObjectKind = this.tenant.memberTypeOf(id);
      const object = kind === 'user' ? projectUser(this.tenant.findUser(id)!, select) : projectGroup(this.tenant.findGroup(id)!, select);
      return { '@odata.type': ODATA_TYPE[kind], ...object };
    });
  }
}

function renderAssignment(assignment: SimAssignment): Json {
  return { ...assignment, deletedDateTime: null };
}
