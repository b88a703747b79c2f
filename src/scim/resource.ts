// SCIM resources: flat mapped attributes → nested POST bodies, and answers narrowed once into ScimUser / ScimGroup.
import { ScimError, type ScimRequestInfo } from './errors.js';
import { splitExtensionPath } from './patch.js';

export interface ScimUser {
  id: string;
  userName: string;
  active?: boolean;
  displayName?: string;
  name?: { formatted?: string; givenName?: string; familyName?: string };
  emails?: Array<{ value: string; type?: string; primary?: boolean }>;
  [attribute: string]: unknown;
}

export interface ScimGroup {
  id: string;
  displayName: string;
  members?: Array<{ value: string }>;
  [attribute: string]: unknown;
}

export type ScimValue = string | number | boolean | null | string[];

/**
 * Flat target attributes keyed by SCIM path, as the mapping produces them, e.g. `name.givenName`,
 * `emails[type eq "work"].value`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`.
 */
export type ScimAttributes = Record<string, ScimValue>;

export const coreSchemas = {
  User: 'urn:ietf:params:scim:schemas:core:2.0:User',
  Group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
} as const;

type JsonObject = Record<string, unknown>;

/** `emails[type eq "work"].value` → { attribute: 'emails', type: 'work', sub: 'value' }. */
const multiValuedPath = /^([A-Za-z][\w$-]*)\[type eq "((?:[^"\\]|\\.)*)"\](?:\.([A-Za-z][\w$-]*))?$/;

function childObject(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) return existing as JsonObject;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function setPath(target: JsonObject, path: string, value: unknown): void {
  const multi = multiValuedPath.exec(path);
  if (multi) {
    const [, attribute, type, sub] = multi as unknown as [string, string, string, string | undefined];
    const list = Array.isArray(target[attribute]) ? (target[attribute] as JsonObject[]) : [];
    target[attribute] = list;
    let entry = list.find((item) => item.type === type);
    if (entry === undefined) {
      // The first entry of a multi-valued attribute is the primary one, as Entra sends it (reference §2.3).
      entry = list.length === 0 ? { type, primary: true } : { type };
      list.push(entry);
    }
    if (sub === undefined) Object.assign(entry, { value });
    else entry[sub] = value;
    return;
  }
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = childObject(node, part);
  node[parts[parts.length - 1] ?? path] = value;
}

/** The POST body for a resource: nested JSON, null values omitted, `schemas` naming the core schema and each extension used. */
export function scimResourceFromAttributes(kind: 'User' | 'Group', attributes: ScimAttributes): Record<string, unknown> {
  const body: JsonObject = {};
  const schemas: string[] = [coreSchemas[kind]];
  for (const [path, value] of Object.entries(attributes)) {
    if (value === null || value === undefined) continue;
    const extension = splitExtensionPath(path);
    if (extension) {
      if (!schemas.includes(extension.schema)) schemas.push(extension.schema);
      setPath(childObject(body, extension.schema), extension.attribute, value);
    } else {
      setPath(body, path, value);
    }
  }
  return { schemas, ...body };
}

function asObject(body: unknown): JsonObject | undefined {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as JsonObject) : undefined;
}

function unexpected(request: ScimRequestInfo, status: number, what: string): ScimError {
  return new ScimError({ kind: 'unexpected-response', message: `${request.method} ${request.url} answered ${status} with ${what}`, status, request });
}

/** Narrows a resource body; `meta` is dropped because Notion's timestamps mean nothing (reference §2.2). */
function resourceFromBody(body: unknown, nameAttribute: 'userName' | 'displayName', request: ScimRequestInfo, status: number): JsonObject {
  const record = asObject(body);
  if (record === undefined) throw unexpected(request, status, 'a body that is not a JSON object');
  if (typeof record.id !== 'string' || record.id === '') throw unexpected(request, status, 'a resource without id');
  if (typeof record[nameAttribute] !== 'string') throw unexpected(request, status, `a resource without ${nameAttribute}`);
  const { meta: _meta, ...rest } = record;
  return rest;
}

export function userFromBody(body: unknown, request: ScimRequestInfo, status: number): ScimUser {
  return resourceFromBody(body, 'userName', request, status) as ScimUser;
}

export function groupFromBody(body: unknown, request: ScimRequestInfo, status: number): ScimGroup {
  return resourceFromBody(body, 'displayName', request, status) as ScimGroup;
}

export interface ListPage<T> {
  resources: T[];
  totalResults: number | undefined;
  itemsPerPage: number | undefined;
}

/** Narrows a ListResponse; `Resources` may be absent when nothing matched (RFC 7644 §3.4.2). */
export function listPageFromBody<T>(
  body: unknown,
  request: ScimRequestInfo,
  status: number,
  narrow: (item: unknown, request: ScimRequestInfo, status: number) => T,
): ListPage<T> {
  const record = asObject(body);
  if (record === undefined) throw unexpected(request, status, 'a body that is not a ListResponse object');
  const resources = record.Resources ?? [];
  if (!Array.isArray(resources)) throw unexpected(request, status, 'a ListResponse whose Resources is not an array');
  const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  return {
    resources: resources.map((item: unknown) => narrow(item, request, status)),
    totalResults: number(record.totalResults),
    itemsPerPage: number(record.itemsPerPage),
  };
}
