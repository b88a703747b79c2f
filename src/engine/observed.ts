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
    const entries = list.map(asObject).filter((item): item is JsonObject => item !== undefined);
    const typed = entries.find((item) => String(child(item, 'type') ?? '').toLowerCase() === type.toLowerCase());
    // Notion answers emails without `type` (reference notion-scim.md §2.2): when no entry carries a type, the primary
    // one (or the only one) is the value sent under any type.
    const untyped = entries.every((item) => child(item, 'type') === undefined)
      ? (entries.find((item) => child(item, 'primary') === true) ?? (entries.length === 1 ? entries[0] : undefined))
      : undefined;
    const entry = typed ?? untyped;
    return entry === undefined ? undefined : asScimValue(child(entry, sub ?? 'value'));
  }
  let node: unknown = resource;
  for (const part of path.split('.')) node = child(asObject(node), part);
  return asScimValue(node);
}

/** userName and email values are email addresses: compared without regard to case (RFC 7643 §8.7.1 gives userName caseExact false). */
export function isCaseInsensitivePath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === 'username' || lower.startsWith('emails');
}

/** Whether the value at `path` is what Notion holds: case-insensitive for userName and emails. */
export function sameScimValue(path: string, a: ScimValue | undefined, b: ScimValue | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string' && isCaseInsensitivePath(path)) return a.toLowerCase() === b.toLowerCase();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

/**
 * What Notion echoes at the given paths, to compare with what the mapping wants. Notion keeps userName and emails in
 * one Email field (reference notion-scim.md §2.1), so an email path whose wanted value the user carries as its
 * userName or any email reads as that value. A path the answer does not hold at all is left out: the target does not
 * echo it, which says nothing about its value (the caller keeps what it sent), instead of reading as cleared and
 * being sent again on every adopt and verify.
 */
export function observedAttributes(resource: JsonObject, paths: Iterable<string>, wanted: ScimAttributes = {}): ScimAttributes {
  const attributes: ScimAttributes = {};
  for (const path of paths) {
    const want = wanted[path];
    if (path.toLowerCase().startsWith('emails') && typeof want === 'string' && emailCarriedBy(resource, want)) {
      attributes[path] = want;
      continue;
    }
    const value = readScimPath(resource, path);
    if (value !== undefined) attributes[path] = value;
  }
  return attributes;
}

function emailCarriedBy(resource: JsonObject, email: string): boolean {
  const lower = email.toLowerCase();
  const userName = child(resource, 'userName');
  return (typeof userName === 'string' && userName.toLowerCase() === lower) || emailValuesOf(resource).includes(lower);
}

/** Every email value of a SCIM user, lower-cased, for matching by email. */
export function emailValuesOf(resource: JsonObject): string[] {
  const emails = child(resource, 'emails');
  if (!Array.isArray(emails)) return [];
  return emails.map((item) => asObject(item)?.value).filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase());
}
