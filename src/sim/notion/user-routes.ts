// /scim/v2/Users: list with filters, read, create (or re-add), PATCH, PUT and DELETE, with Notion's quirks (reference §2, §3).
import { parseEqualityFilter, type FilterTerm } from './filter.js';
import { pageOf, readPageRequest } from './paging.js';
import { isRecord, readPatchOperations, type PatchOperation } from './patch-operations.js';
import { displayNameOf, listResponse, locationOf, renderUser } from './resources.js';
import type { RouteContext, ScimAnswer, ScimRequest } from './routes.js';
import { ScimHttpError } from './scim-error.js';
import { applyUserOperations } from './user-attributes.js';
import type { NotionUser } from './workspace.js';

export function answerUsers(context: RouteContext, request: ScimRequest): ScimAnswer {
  const [, id, extra] = request.segments;
  if (extra !== undefined) throw new ScimHttpError(404, 'Not found');
  if (id === undefined) {
    if (request.method === 'GET') return listUsers(context, request.query);
    if (request.method === 'POST') return createUser(context, request.body);
  } else {
    if (request.method === 'GET') return getUser(context, id);
    if (request.method === 'PATCH') return updateUser(context, id, readPatchOperations(request.body));
    if (request.method === 'PUT') return updateUser(context, id, [{ op: 'replace', value: requireBody(request.body) }]);
    if (request.method === 'DELETE') return deleteUser(context, id);
  }
  throw new ScimHttpError(405, `${request.method} is not supported here`);
}

function listUsers({ workspace, options }: RouteContext, query: URLSearchParams): ScimAnswer {
  const page = readPageRequest(query, options.pageSizeCap);
  const filter = options.ignoreFilters ? null : query.get('filter');
  if (filter === null) {
    const users = pageOf(workspace.userCount(), (position) => workspace.userAt(position), page, options.unstableOrder);
    return { status: 200, body: listResponse(workspace.userCount(), page.startIndex, users.map(renderUser)) };
  }
  const matches = findMembers({ workspace, options }, parseEqualityFilter(filter));
  const users = pageOf(matches.length, (position) => matches[position], page, options.unstableOrder);
  return { status: 200, body: listResponse(matches.length, page.startIndex, users.map(renderUser)) };
}

/** Filters look at workspace members only; userName and email (the same Notion field) are matched case-insensitively. */
function findMembers({ workspace, options }: RouteContext, terms: FilterTerm[]): NotionUser[] {
  const tests = terms.map((term) => userTest(term, options.userNameFilter));
  const byEmail = terms.find((term) => ['username', 'email'].includes(term.attribute.toLowerCase()));
  const candidates = byEmail ? [workspace.accountByUserName(byEmail.value)].filter((u): u is NotionUser => u?.inWorkspace === true) : workspace.users();
  return candidates.filter((user) => tests.every((test) => test(user)));
}

function userTest(term: FilterTerm, userNameFilter: RouteContext['options']['userNameFilter']): (user: NotionUser) => boolean {
  const wanted = term.value;
  switch (term.attribute.toLowerCase()) {
    case 'username':
      // Notion documents only `email` (§2.4); Microsoft says userName works. The switch plays both.
      if (userNameFilter === 'bad-request') throw new ScimHttpError(400, 'Unsupported filter attribute userName', 'invalidFilter');
      return (user) => user.userName.toLowerCase() === wanted.toLowerCase();
    case 'email':
      return (user) => user.userName.toLowerCase() === wanted.toLowerCase();
    case 'displayname':
      return (user) => displayNameOf(user) === wanted;
    // Notion's own (non-SCIM) filter names, case-sensitive (§2.4).
    case 'given_name':
      return (user) => user.name.givenName === wanted;
    case 'family_name':
      return (user) => user.name.familyName === wanted;
    default:
      throw new ScimHttpError(400, `Unsupported filter attribute ${term.attribute}`, 'invalidFilter');
  }
}

function getUser({ workspace, options }: RouteContext, id: string): ScimAnswer {
  const user = workspace.account(id);
  if (!user || (!user.inWorkspace && options.removedUserLookup === 'not-found')) throw notFound(id);
  return { status: 200, body: renderUser(user) };
}

/** POST adds an existing Notion account (a removed member keeps its id) or creates one; a current member is a 409 (§3.5). */
function createUser({ workspace, options }: RouteContext, body: unknown): ScimAnswer {
  const fields = requireBody(body);
  if (typeof fields.userName !== 'string' || fields.userName.trim() === '') throw new ScimHttpError(400, 'userName is required', 'invalidValue');
  const existing = workspace.accountByUserName(fields.userName);
  if (existing?.inWorkspace) throw new ScimHttpError(409, `User ${fields.userName} already exists in the workspace`, 'uniqueness');
  const draft: NotionUser = existing
    ? structuredClone(existing)
    : { id: '', userName: fields.userName, inWorkspace: true, name: {}, emails: [], enterprise: {}, created: 0, lastModified: 0 };
  // `active` on create is ignored: a POST always makes a member.
  applyUserOperations(draft, [{ op: 'replace', value: fields }], true);
  const user = existing ? workspace.commitUser({ ...draft, inWorkspace: true }) : workspace.addUser(withoutStamps(draft));
  // The faulty-server switch: the create is applied, the answer names another (existing) member.
  const other = options.createAnswersMember === undefined ? undefined : workspace.accountByUserName(options.createAnswersMember);
  const rendered = renderUser(other && other.id !== user.id ? other : user);
  return { status: 201, body: rendered, headers: { Location: locationOf(rendered) } };
}

function updateUser(context: RouteContext, id: string, operations: PatchOperation[]): ScimAnswer {
  const { workspace, options } = context;
  const user = workspace.account(id);
  if (!user) throw notFound(id);
  const draft = structuredClone(user);
  if (!user.inWorkspace) {
    // Whether PATCH active=true re-adds a removed member is unknown (§3.2): the switch plays both answers.
    const reactivates = options.reactivateByPatch && applyUserOperations(draft, operations, false).active === true;
    if (!reactivates) return getUser(context, id);
    return { status: 200, body: renderUser(commitUserName(context, user, { ...draft, inWorkspace: true })) };
  }
  const { active } = applyUserOperations(draft, operations, false);
  if (active === false) {
    refuseTokenOwnerRemoval(context, user);
    draft.inWorkspace = false; // active=false removes the member from the workspace (§3.1)
  }
  refuseUnverifiedProfileChange(context, user, draft);
  return { status: 200, body: renderUser(commitUserName(context, user, draft)) };
}

/** A userName that already belongs to another account answers 500, not 409 (§3.5, observed). */
function commitUserName({ workspace }: RouteContext, user: NotionUser, draft: NotionUser): NotionUser {
  const holder = workspace.accountByUserName(draft.userName);
  if (holder && holder.id !== user.id) throw new ScimHttpError(500, 'Internal server error');
  return workspace.commitUser(draft);
}

function deleteUser(context: RouteContext, id: string): ScimAnswer {
  const user = context.workspace.account(id);
  if (!user?.inWorkspace) throw notFound(id);
  refuseTokenOwnerRemoval(context, user);
  context.workspace.removeUser(id);
  return { status: 204 };
}

/** "The workspace owner that created the SCIM bot token cannot be removed via the API" (§3.3); the status is a gap. */
function refuseTokenOwnerRemoval({ options }: RouteContext, user: NotionUser): void {
  if (options.tokenOwnerUserName !== undefined && user.userName.toLowerCase() === options.tokenOwnerUserName.toLowerCase()) {
    throw new ScimHttpError(403, 'The owner of this SCIM token cannot be removed');
  }
  // A switch: Notion documents that removing an owner revokes their tokens, not that it is refused (§3.3, §9.3).
  if (options.refuseOwnerRemoval && user.role === 'owner') throw new ScimHttpError(400, 'Workspace owners cannot be removed from the workspace');
}

const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** A member's name or email changes only for verified email domains (§3.5); the answer is a gap, 400 here. */
function refuseUnverifiedProfileChange({ options }: RouteContext, user: NotionUser, draft: NotionUser): void {
  if (options.verifiedDomains === undefined || !draft.inWorkspace) return;
  const changed = draft.userName !== user.userName || JSON.stringify(draft.name) !== JSON.stringify(user.name) || JSON.stringify(draft.emails) !== JSON.stringify(user.emails);
  if (!changed) return;
  const verified = new Set(options.verifiedDomains.map((domain) => domain.toLowerCase()));
  const unverified = [...new Set([domainOf(user.userName), domainOf(draft.userName)])].filter((domain) => !verified.has(domain));
  if (unverified.length > 0) throw new ScimHttpError(400, `Cannot update the profile of a user whose email domain is not verified: ${unverified.join(', ')}`, 'mutability');
}

function requireBody(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new ScimHttpError(400, 'The request body must be a JSON object', 'invalidSyntax');
  return body;
}

function withoutStamps(draft: NotionUser): Omit<NotionUser, 'id' | 'created' | 'lastModified'> {
  const { id: _id, created: _created, lastModified: _lastModified, ...rest } = draft;
  return rest;
}

function notFound(id: string): ScimHttpError {
  return new ScimHttpError(404, `User ${id} not found`);
}
