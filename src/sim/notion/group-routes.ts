// /scim/v2/Groups: list by displayName, create, rename, member Add/Remove batches and DELETE (reference §4).
import { parseEqualityFilter } from './filter.js';
import { pageOf, readPageRequest } from './paging.js';
import { isRecord, readPatchOperations, type PatchOperation } from './patch-operations.js';
import { listResponse, locationOf, renderGroup } from './resources.js';
import type { RouteContext, ScimAnswer, ScimRequest } from './routes.js';
import { ScimHttpError } from './scim-error.js';
import type { NotionGroup } from './workspace.js';

/** The Okta-style remove path (§4 gap): members[value eq "<id>"]. */
const memberValuePath = /^members\[value eq "([^"]+)"\]$/i;

export function answerGroups(context: RouteContext, request: ScimRequest): ScimAnswer {
  const [, id, extra] = request.segments;
  if (extra !== undefined) throw new ScimHttpError(404, 'Not found');
  if (id === undefined) {
    if (request.method === 'GET') return listGroups(context, request.query);
    if (request.method === 'POST') return createGroup(context, request.body);
  } else {
    const group = context.workspace.group(id);
    if (!group) throw new ScimHttpError(404, `Group ${id} not found`);
    if (request.method === 'GET') return { status: 200, body: renderGroup(group, context.workspace) };
    if (request.method === 'PATCH') return patchGroup(context, group, readPatchOperations(request.body));
    if (request.method === 'PUT') return putGroup(context, group, request.body);
    if (request.method === 'DELETE') return deleteGroup(context, group);
  }
  throw new ScimHttpError(405, `${request.method} is not supported here`);
}

function listGroups({ workspace, options }: RouteContext, query: URLSearchParams): ScimAnswer {
  const page = readPageRequest(query, options.pageSizeCap);
  const filter = options.ignoreFilters ? null : query.get('filter');
  const render = (group: NotionGroup) => renderGroup(group, workspace);
  if (filter === null) {
    const groups = pageOf(workspace.groupCount(), (position) => workspace.groupAt(position), page, options.unstableOrder);
    return { status: 200, body: listResponse(workspace.groupCount(), page.startIndex, groups.map(render)) };
  }
  const names = parseEqualityFilter(filter).map((term) => {
    if (term.attribute.toLowerCase() !== 'displayname') throw new ScimHttpError(400, `Unsupported filter attribute ${term.attribute}`, 'invalidFilter');
    return term.value;
  });
  const found = workspace.groupByDisplayName(names[0] ?? '');
  const matches = found && names.every((name) => name === found.displayName) ? [found] : [];
  return { status: 200, body: listResponse(matches.length, page.startIndex, pageOf(matches.length, (p) => matches[p], page, false).map(render)) };
}

function createGroup(context: RouteContext, body: unknown): ScimAnswer {
  const fields = requireBody(body);
  const displayName = requireDisplayName(context, fields.displayName, undefined);
  // Entra creates groups empty and PATCHes members in (§4); whether Notion takes members on create is a gap (§9.1).
  const sent = fields.members === undefined ? [] : readMemberIds(fields.members);
  if (sent.length > 0 && context.options.membersOnCreate === 'refuse') throw new ScimHttpError(400, 'members cannot be set when creating a group', 'invalidValue');
  const members = context.options.membersOnCreate === 'ignore' ? [] : sent;
  requireWorkspaceMembers(context, members);
  const group = context.workspace.addGroup({ displayName, members });
  const rendered = renderGroup(group, context.workspace);
  return { status: 201, body: rendered, headers: { Location: locationOf(rendered) } };
}

/** Validates the whole PATCH, then applies it; the answer is 204 (whether Notion answers 200 with the group is a gap). */
function patchGroup(context: RouteContext, group: NotionGroup, operations: PatchOperation[]): ScimAnswer {
  const change = new MembershipChange(group);
  let rename: string | undefined;
  for (const operation of operations) {
    const fields = operation.path === undefined ? requireBody(operation.value) : { [operation.path]: operation.value };
    for (const [path, value] of Object.entries(fields)) {
      const key = path.toLowerCase();
      const single = memberValuePath.exec(path);
      if (key === 'members') change.apply(operation.op, value === undefined && operation.op === 'remove' ? undefined : readMemberIds(value));
      else if (single && operation.op === 'remove') change.apply('remove', [single[1] as string]);
      else if (key === 'displayname' && operation.op !== 'remove') rename = requireDisplayName(context, value, group.id);
      else if (key !== 'externalid' && key !== 'schemas' && key !== 'id') throw new ScimHttpError(400, `Unsupported group path ${JSON.stringify(path)}`, 'invalidPath');
    }
  }
  if (change.valueCount > context.options.maxMembersPerPatch) {
    const status = context.options.oversizeMemberPatchStatus;
    throw new ScimHttpError(status, `At most ${context.options.maxMembersPerPatch} members per PATCH`, status === 413 ? 'tooMany' : 'invalidValue');
  }
  requireWorkspaceMembers(context, change.added);
  if (context.options.duplicateMemberAdd === 'conflict' && change.duplicates.length > 0) {
    throw new ScimHttpError(409, `Already a member: ${change.duplicates.join(', ')}`, 'uniqueness');
  }
  if (rename !== undefined) context.workspace.renameGroup(group.id, rename);
  change.commit(context);
  return { status: 204 };
}

/** PUT replaces displayName, and members when given (Notion advises PATCH; whether PUT empties the group is a gap, §4). */
function putGroup(context: RouteContext, group: NotionGroup, body: unknown): ScimAnswer {
  const fields = requireBody(body);
  const displayName = requireDisplayName(context, fields.displayName, group.id);
  const change = new MembershipChange(group);
  if (fields.members !== undefined) change.apply('replace', readMemberIds(fields.members));
  requireWorkspaceMembers(context, change.added);
  context.workspace.renameGroup(group.id, displayName);
  change.commit(context);
  return { status: 200, body: renderGroup(group, context.workspace) };
}

function deleteGroup({ workspace, options }: RouteContext, group: NotionGroup): ScimAnswer {
  // "Group deletion will be forbidden if it would result in no one having full access to one or more pages" (§4).
  if (options.refuseGroupDelete) throw new ScimHttpError(400, 'Deleting this group would leave pages without anyone with full access');
  workspace.deleteGroup(group.id);
  return { status: 204 };
}

/** The members a PATCH leaves, computed without touching the group until every check has passed. */
class MembershipChange {
  private replaced = false;
  private readonly outcome = new Map<string, boolean>();
  readonly duplicates: string[] = [];
  valueCount = 0;

  constructor(private readonly group: NotionGroup) {}

  apply(op: PatchOperation['op'], ids: string[] | undefined): void {
    if (ids === undefined || op === 'replace') {
      this.replaced = true;
      this.outcome.clear();
    }
    for (const id of ids ?? []) {
      this.valueCount += 1;
      if (op === 'remove') {
        this.outcome.set(id, false);
        continue;
      }
      if (this.has(id)) this.duplicates.push(id);
      this.outcome.set(id, true);
    }
  }

  get added(): string[] {
    return [...this.outcome].filter(([id, present]) => present && !this.group.members.has(id)).map(([id]) => id);
  }

  commit({ workspace }: RouteContext): void {
    const removed = this.replaced
      ? this.group.members.values().filter((id) => this.outcome.get(id) !== true)
      : [...this.outcome].filter(([id, present]) => !present && this.group.members.has(id)).map(([id]) => id);
    const added = this.added;
    for (const id of removed) workspace.removeGroupMember(this.group.id, id);
    for (const id of added) workspace.addGroupMember(this.group.id, id);
  }

  private has(id: string): boolean {
    return this.outcome.get(id) ?? (!this.replaced && this.group.members.has(id));
  }
}

/** Member values as Notion and Entra send them: [{ value }] or [{ value, "$ref": null }] (§4). */
function readMemberIds(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ScimHttpError(400, 'members must be an array', 'invalidValue');
  return value.map((entry: unknown) => {
    if (!isRecord(entry) || typeof entry.value !== 'string') throw new ScimHttpError(400, 'Each member needs a string value', 'invalidValue');
    return entry.value;
  });
}

/** Only workspace members can be in groups (§4, N-GROUPS); the status for others is a gap, 400 here. */
function requireWorkspaceMembers({ workspace, options }: RouteContext, ids: string[]): void {
  const strangers = ids.filter((id) => workspace.account(id)?.inWorkspace !== true);
  if (strangers.length === 0) return;
  // Whether Notion names the refused ids is unknown: the engine's bisection must not depend on it.
  throw new ScimHttpError(400, options.memberRefusalDetail === 'generic' ? 'Invalid members' : `Not workspace members: ${strangers.join(', ')}`, 'invalidValue');
}

function requireDisplayName({ workspace }: RouteContext, value: unknown, groupId: string | undefined): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ScimHttpError(400, 'displayName is required', 'invalidValue');
  const holder = workspace.groupByDisplayName(value);
  if (holder && holder.id !== groupId) throw new ScimHttpError(409, `A group named ${value} already exists`, 'uniqueness');
  return value;
}

function requireBody(body: unknown): Record<string, unknown> {
  if (!isRecord(body)) throw new ScimHttpError(400, 'Expected a JSON object', 'invalidSyntax');
  return body;
}
