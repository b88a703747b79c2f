// Attribute diffs (pure): the minimal PATCH between what Notion has from us and what the mapping wants.
import { patchOperationsFromDiff, type ScimAttributes, type ScimPatchOperation } from '../scim/index.js';
import type { ModifiedProperty } from './model.js';
import { sameScimValue } from './observed.js';

/** Paths the engine keeps in sync after a create: every mapped path except create-only ones. */
export function syncedPaths(desired: ScimAttributes, createOnly: readonly string[]): string[] {
  const skip = new Set(createOnly);
  return Object.keys(desired).filter((path) => !skip.has(path));
}

function pick(attributes: ScimAttributes, paths: readonly string[]): ScimAttributes {
  const picked: ScimAttributes = {};
  for (const path of paths) if (Object.hasOwn(attributes, path)) picked[path] = attributes[path] ?? null;
  return picked;
}

export interface AttributeChanges {
  patch: ScimPatchOperation[];
  modified: ModifiedProperty[];
}

/**
 * Only mapped paths are compared: a path the mapping leaves alone (absent) is never sent. A userName or email that
 * differs only in case is the same address (reference entra-provisioning §10.4): it is never a change, so it never
 * causes a PATCH.
 */
export function attributeChanges(applied: ScimAttributes, desired: ScimAttributes, createOnly: readonly string[]): AttributeChanges {
  const paths = syncedPaths(desired, createOnly);
  const wanted = pick(desired, paths);
  const before = pick(applied, paths);
  for (const path of paths) if (Object.hasOwn(before, path) && sameScimValue(path, before[path], wanted[path])) before[path] = wanted[path] ?? null;
  const patch = patchOperationsFromDiff(before, wanted);
  const modified = patch.map((op) => ({ path: op.path ?? '', old: applied[op.path ?? ''] ?? null, new: desired[op.path ?? ''] ?? null }));
  return { patch, modified };
}

/** The applied attributes after a successful write of `desired`. */
export function appliedAfter(applied: ScimAttributes, desired: ScimAttributes, createOnly: readonly string[], created: boolean): ScimAttributes {
  const next: ScimAttributes = { ...applied };
  for (const path of created ? Object.keys(desired) : syncedPaths(desired, createOnly)) next[path] = desired[path] ?? null;
  return next;
}
