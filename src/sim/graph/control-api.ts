// The HTTP control API under /_sim/ for a simulator running as its own process: mutate the directory,
// expire delta tokens, inject faults, read the request log. Loopback only and unauthenticated by design.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphHttpError, readJsonObject, sendJson } from './http.js';
import type { SimGroupProps, SimUserProps } from './model.js';
import type { SimTenant } from './tenant.js';
import type { ExpiredAnswer } from './delta.js';
import type { FaultSpec, TrafficControl } from './traffic.js';
import type { SubscriptionService } from './subscriptions.js';
import { isMalformedPageShape, MALFORMED_PAGE_SHAPES } from './malformed-pages.js';

export interface ControlTargets {
  tenant: SimTenant;
  traffic: TrafficControl;
  subscriptions: SubscriptionService;
  expireDeltaTokens(answer: ExpiredAnswer): void;
}

type Body = Record<string, unknown>;

function text(body: Body, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw new GraphHttpError(400, 'BadRequest', `'${name}' must be a non-empty string.`);
  return value;
}

/** Runs a tenant mutation, turning "no such user/group" into a 404. */
function mutate(action: () => void): void {
  try {
    action();
  } catch (error) {
    throw new GraphHttpError(404, 'NotFound', error instanceof Error ? error.message : String(error));
  }
}

export async function handleControlRequest(req: IncomingMessage, res: ServerResponse, segments: string[], targets: ControlTargets): Promise<void> {
  const { tenant, traffic } = targets;
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'DELETE' ? {} : await readJsonObject(req);
  const [collection, id, action, memberId] = segments;
  const done = (): void => { res.writeHead(204).end(); };

  switch (`${method} ${collection ?? ''}${id === undefined ? '' : ' id'}${action === undefined ? '' : ` ${action}`}${memberId === undefined ? '' : ' id'}`) {
    case 'GET users': return sendJson(res, 200, { value: tenant.users() });
    case 'POST users': return sendJson(res, 201, tenant.hireUser(body as Partial<SimUserProps>));
    case 'PATCH users id': mutate(() => tenant.updateUser(id as string, body as Partial<SimUserProps>)); return done();
    case 'POST users id disable': mutate(() => tenant.disableUser(id as string)); return done();
    case 'POST users id enable': mutate(() => tenant.enableUser(id as string)); return done();
    case 'POST users id soft-delete': mutate(() => tenant.softDeleteUser(id as string)); return done();
    case 'POST users id restore': mutate(() => tenant.restoreUser(id as string)); return done();
    case 'DELETE users id': mutate(() => tenant.hardDeleteUser(id as string)); return done();
    case 'GET groups': return sendJson(res, 200, { value: tenant.groups() });
    case 'POST groups': return sendJson(res, 201, tenant.createGroup({ ...(body as Partial<SimGroupProps>), displayName: text(body, 'displayName') }));
    case 'PATCH groups id': mutate(() => tenant.renameGroup(id as string, text(body, 'displayName'))); return done();
    case 'DELETE groups id': mutate(() => tenant.deleteGroup(id as string)); return done();
    case 'GET groups id members': {
      let members: string[] = [];
      mutate(() => { members = tenant.membersOf(id as string); });
      return sendJson(res, 200, { value: members });
    }
    case 'POST groups id members': mutate(() => tenant.addMember(id as string, text(body, 'memberId'))); return done();
    case 'DELETE groups id members id': mutate(() => tenant.removeMember(id as string, memberId as string)); return done();
    case 'GET assignments': return sendJson(res, 200, { value: tenant.assignments() });
    case 'POST assignments': {
      const appRoleId = typeof body.appRoleId === 'string' ? body.appRoleId : undefined;
      mutate(() => tenant.assign(text(body, 'principalId'), appRoleId));
      return done();
    }
    case 'DELETE assignments id': tenant.unassign(id as string); return done();
    case 'POST expire-delta-tokens': {
      const answer = body.answer === 'syncStateNotFound' ? 'syncStateNotFound' : '410';
      targets.expireDeltaTokens(answer);
      return done();
    }
    case 'POST faults': return injectFault(body, traffic, done);
    // Change notifications: the subscriptions (with their clientState), a lifecycle notification on demand, the
    // switch that drops change notifications, and the log of what was posted to subscribers.
    case 'GET subscriptions': return sendJson(res, 200, { value: targets.subscriptions.list() });
    case 'POST subscriptions id lifecycle': return sendJson(res, 200, await targets.subscriptions.sendLifecycle(id as string, text(body, 'lifecycleEvent')));
    case 'POST notifications': {
      if (typeof body.drop !== 'boolean') throw new GraphHttpError(400, 'BadRequest', "'drop' must be true or false.");
      targets.subscriptions.dropNotifications(body.drop);
      return done();
    }
    case 'GET deliveries': return sendJson(res, 200, { value: targets.subscriptions.deliveries() });
    case 'GET requests': return sendJson(res, 200, { value: traffic.requests(), counts: traffic.requestCounts() });
    case 'DELETE requests': traffic.clearRequests(); return done();
    default: throw new GraphHttpError(404, 'NotFound', `No control endpoint ${method} /_sim/${segments.join('/')}.`);
  }
}

/** Body: `{ kind, status?, count, retryAfterSeconds?, pathPattern?, queryPattern?, body?, contentType?, page? }`
 *  (pathPattern and queryPattern are RegExp sources; `page` one of MALFORMED_PAGE_SHAPES). */
function injectFault(body: Body, traffic: TrafficControl, done: () => void): void {
  const kind = body.kind === 'reset' || body.kind === 'body' || body.kind === 'page' ? body.kind : 'status';
  const fault: FaultSpec = { kind, count: typeof body.count === 'number' ? body.count : 1 };
  if (kind === 'page') {
    if (!isMalformedPageShape(body.page)) throw new GraphHttpError(400, 'BadRequest', `'page' must be one of ${MALFORMED_PAGE_SHAPES.join(', ')}.`);
    fault.page = body.page;
  }
  if (typeof body.body === 'string') fault.body = body.body;
  if (typeof body.contentType === 'string') fault.contentType = body.contentType;
  if (typeof body.status === 'number') fault.status = body.status;
  if (typeof body.retryAfterSeconds === 'number') fault.retryAfterSeconds = body.retryAfterSeconds;
  if (typeof body.pathPattern === 'string') fault.match = { path: new RegExp(body.pathPattern) };
  if (typeof body.queryPattern === 'string') fault.match = { ...fault.match, query: new RegExp(body.queryPattern) };
  traffic.injectFault(fault);
  done();
}
