// Reads what Notion holds back into the flat SCIM paths the mapping writes, so that matching and drift repair can diff it.
import type { ScimAttributes, ScimValue } from '../scim/index.js';

type JsonObject = Record<string, unknown>;

const multiValuedPath = /^([A-Za-z][\w$-]*)\[type eq "((?:[^"\\]|\\.)*)"\](?:\.([A-Za-z][\w$-]*))?$/;

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function asScimValue(value: unknown): ScimValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

/** Finds a key case-insensitively: SCIM attribute names are case-insensitive (RFC 7643 §2.1). */
function child(node: JsonObject | undefined, key: string): unknown {
  if (node === undefined) return undefined;
  if (Object.hasOwn(node, key)) return node[key];
  const lower = key.toLowerCase();
  const found = Object.keys(node).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : node[found];
}

/** The value at a flat SCIM path (`name.givenName`, `emails[type eq "work"].value`, `urn:…:User:department`). */
export function readScimPath(resource: JsonObject, path: string): ScimValue | undefined {
  if (path.startsWith('urn:')) {
    const at = path.lastIndexOf(':');
    return readScimPath(asObject(child(resource, path.slice(0, at))) ?? {}, path.slice(at + 1));
  }
  const multi = multiValuedPath.exec(path);
  if (multi) {
    const [, attribute, type, sub] = multi as unknown as [string, string, string, string | undefined];
    const list = child(resource, attribute);
    if (!Array.isArray(list)) return undefined;
    const entry = list.map(asObject).find((item) => item !== undefined && String(item.type ?? '').toLowerCase() === type.toLowerCase());
    return entry === undefined ? undefined : asScimValue(entry[sub ?? 'value']);
  }
  let node: unknown = resource;
  for (const part of path.split('.')) node = child(asObject(node), part);
  return asScimValue(node);
}

/** The resource's values at the given paths; a path Notion does not hold reads as null (cleared). */
export function observedAttributes(resource: JsonObject, paths: Iterable<string>): ScimAttributes {
  const attributes: ScimAttributes = {};
  for (const path of paths) attributes[path] = readScimPath(resource, path) ?? null;
  return attributes;
}

/** Every email value of a SCIM user, lower-cased, for matching by email. */
export function emailValuesOf(resource: JsonObject): string[] {
  const emails = child(resource, 'emails');
  if (!Array.isArray(emails)) return [];
  return emails.map((item) => asObject(item)?.value).filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase());
}
