// The HTTP control API under /_sim/, for a simulator running as its own process: state, faults, requests, options.
import { z } from 'zod';
import type { NotionSimulator } from './server.js';
import { membershipsOnRemovalModes } from './options.js';
import { notionRoles } from './workspace.js';

export interface ControlAnswer {
  status: number;
  body?: unknown;
}

const multiValue = z.object({ value: z.string(), type: z.string().optional(), primary: z.boolean().optional() });

const userInput = z.object({
  id: z.string().optional(),
  userName: z.string().min(1),
  inWorkspace: z.boolean().optional(),
  name: z.object({ formatted: z.string().optional(), givenName: z.string().optional(), familyName: z.string().optional() }).optional(),
  emails: z.array(multiValue).optional(),
  phoneNumber: multiValue.optional(),
  title: z.string().optional(),
  locale: z.string().optional(),
  preferredLanguage: z.string().optional(),
  userType: z.string().optional(),
  addresses: z.array(z.unknown()).optional(),
  roles: z.array(z.unknown()).optional(),
  photos: z.array(z.unknown()).optional(),
  enterprise: z.record(z.string(), z.unknown()).optional(),
  role: z.enum(notionRoles).optional(),
});

const groupInput = z.object({ id: z.string().optional(), displayName: z.string().min(1), members: z.array(z.string()).optional() });

const optionsInput = z
  .object({
    token: z.string().min(1),
    pageSizeCap: z.number().int().positive(),
    unstableOrder: z.boolean(),
    rateLimit: z.object({ requestsPerSecond: z.number().positive(), burst: z.number().positive() }).nullable(),
    latencyMs: z.number().nonnegative(),
    maxMembersPerPatch: z.number().int().positive(),
    removedUserLookup: z.enum(['not-found', 'inactive']),
    reactivateByPatch: z.boolean(),
    refuseGroupDelete: z.boolean(),
    userNameFilter: z.enum(['supported', 'bad-request']),
    duplicateMemberAdd: z.enum(['ignore', 'conflict']),
    tokenOwnerUserName: z.string().nullable().transform((value) => value ?? undefined),
    createAnswersMember: z.string().nullable().transform((value) => value ?? undefined),
    ignoreFilters: z.boolean(),
    faultSeed: z.number().int().nullable().transform((value) => value ?? undefined),
    membershipsOnRemoval: z.enum(membershipsOnRemovalModes),
    // Writes Notion refuses (h3).
    oversizeMemberPatchStatus: z.union([z.literal(400), z.literal(413)]),
    memberRefusalDetail: z.enum(['names-ids', 'generic']),
    membersOnCreate: z.enum(['accept', 'refuse', 'ignore']),
    refuseOwnerRemoval: z.boolean(),
    verifiedDomains: z.array(z.string()).nullable().transform((value) => value ?? undefined),
  })
  .partial();

const faultInput = z.object({
  kind: z.enum(['status', 'reset', 'timeout', 'malformed', 'html']),
  status: z.number().int().min(100).max(599).optional(),
  count: z.number().int().positive().optional(),
  rate: z.number().min(0).max(1).optional(),
  when: z.enum(['before', 'after']).optional(),
  // A regular expression's source, tested against the path after /scim/v2.
  match: z.object({ method: z.string().optional(), path: z.string().optional() }).optional(),
});

/**
 * Routes (JSON in and out, no auth: loopback only):
 *   GET|DELETE /_sim/state · POST /_sim/users (one user or an array) · PATCH|DELETE /_sim/users/:id
 *   POST /_sim/groups · PATCH|DELETE /_sim/groups/:id · PUT|DELETE /_sim/groups/:id/members/:userId
 *   GET|PATCH /_sim/options · GET|POST|DELETE /_sim/faults · GET|DELETE /_sim/requests
 */
export function answerControl(simulator: NotionSimulator, method: string, segments: string[], text: string): ControlAnswer {
  try {
    return route(simulator, method, segments, text);
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
    return { status: 400, body: { error: detail } };
  }
}

function route(simulator: NotionSimulator, method: string, segments: string[], text: string): ControlAnswer {
  const { workspace } = simulator;
  const [resource, id, sub, subId] = segments;
  const body = (): unknown => (text.trim() === '' ? undefined : JSON.parse(text));
  const at = `${method} ${resource ?? ''}${id === undefined ? '' : '/:id'}${sub === undefined ? '' : `/${sub}`}${subId === undefined ? '' : '/:id'}`;
  switch (at) {
    case 'GET state':
      return { status: 200, body: workspace.snapshot() };
    case 'DELETE state':
      workspace.clear();
      return { status: 204 };
    case 'POST users': {
      const input = body();
      const users = z.array(userInput).parse(Array.isArray(input) ? input : [input]).map((user) => workspace.addUser(user));
      return { status: 201, body: Array.isArray(input) ? users : users[0] };
    }
    case 'PATCH users/:id':
      return { status: 200, body: workspace.editUser(id as string, userInput.partial().parse(body())) };
    case 'DELETE users/:id':
      workspace.removeUser(id as string);
      return { status: 204 };
    case 'POST groups':
      return { status: 201, body: groupView(simulator, workspace.addGroup(groupInput.parse(body())).id) };
    case 'PATCH groups/:id':
      workspace.renameGroup(id as string, groupInput.pick({ displayName: true }).parse(body()).displayName);
      return { status: 200, body: groupView(simulator, id as string) };
    case 'DELETE groups/:id':
      workspace.deleteGroup(id as string);
      return { status: 204 };
    case 'PUT groups/:id/members/:id':
      workspace.addGroupMember(id as string, subId as string);
      return { status: 204 };
    case 'DELETE groups/:id/members/:id':
      workspace.removeGroupMember(id as string, subId as string);
      return { status: 204 };
    case 'GET options':
      return { status: 200, body: simulator.options };
    case 'PATCH options':
      simulator.setOptions(optionsInput.parse(body()));
      return { status: 200, body: simulator.options };
    case 'GET faults':
      return { status: 200, body: simulator.faults().map(({ match, ...fault }) => ({ ...fault, ...(match ? { match: { method: match.method, path: match.path?.source } } : {}) })) };
    case 'POST faults': {
      const { match, ...fault } = faultInput.parse(body());
      const path = match?.path === undefined ? undefined : new RegExp(match.path);
      simulator.injectFault({ ...fault, ...(match ? { match: { method: match.method, path } } : {}) });
      return { status: 201 };
    }
    case 'DELETE faults':
      simulator.clearFaults();
      return { status: 204 };
    case 'GET requests':
      return { status: 200, body: { requests: simulator.requests(), counts: simulator.requestCounts() } };
    case 'DELETE requests':
      simulator.clearRequests();
      return { status: 204 };
    default:
      return { status: 404, body: { error: `No control route ${method} /_sim/${segments.join('/')}` } };
  }
}

function groupView({ workspace }: NotionSimulator, id: string): unknown {
  const group = workspace.group(id);
  return group && { id: group.id, displayName: group.displayName, members: workspace.groupMembers(id) };
}
