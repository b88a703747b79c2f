// Test helper: a started Notion simulator and a small fetch-based SCIM caller for it (real HTTP over loopback).
import { startNotionSimulator, type NotionSimulator, type NotionSimulatorOptions } from '../../../src/sim/notion/index.js';

export interface ScimReply {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined for an empty one. */
  body: Record<string, unknown> & { Resources?: Array<Record<string, unknown>> };
}

export interface ScimSession {
  simulator: NotionSimulator;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  get(path: string): Promise<ScimReply>;
  post(path: string, body: unknown): Promise<ScimReply>;
  patch(path: string, operations: unknown[]): Promise<ScimReply>;
  delete(path: string): Promise<ScimReply>;
  /** `?filter=` with the expression URL-encoded. */
  filter(collection: 'Users' | 'Groups', expression: string): Promise<ScimReply>;
}

export async function openScimSession(options: NotionSimulatorOptions = {}): Promise<ScimSession> {
  const simulator = await startNotionSimulator(options);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimReply> => {
    const response = await fetch(`${simulator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${simulator.token}`, 'content-type': 'application/scim+json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as ScimReply['body']) : {} };
  };
  return {
    simulator,
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, operations) => call('PATCH', path, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }),
    delete: (path) => call('DELETE', path),
    filter: (collection, expression) => call('GET', `/${collection}?filter=${encodeURIComponent(expression)}`),
  };
}
