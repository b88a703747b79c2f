// PatchOp building: minimal operations from a diff of flat attributes, member chunks, and the wire body per dialect.
import type { ScimAttributes, ScimValue } from './resource.js';

export interface ScimPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

/** `rfc`: lower-case ops, typed values (RFC 7644). `entra`: capitalised ops and "True"/"False" strings, as Entra sends. */
export type PatchDialect = 'rfc' | 'entra';

export const patchOpSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function sameValue(a: ScimValue | undefined, b: ScimValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

const isAbsent = (value: ScimValue | undefined): boolean => value === undefined || value === null;

/** Minimal operations that turn `applied` into `desired`: replace what changed, remove what was cleared, nothing for equal. */
export function patchOperationsFromDiff(applied: ScimAttributes, desired: ScimAttributes): ScimPatchOperation[] {
  const operations: ScimPatchOperation[] = [];
  const paths = [...new Set([...Object.keys(desired), ...Object.keys(applied)])];
  for (const path of paths) {
    const before = applied[path];
    const after = desired[path];
    if (isAbsent(after)) {
      if (!isAbsent(before)) operations.push({ op: 'remove', path });
    } else if (!sameValue(before, after)) {
      operations.push({ op: 'replace', path, value: after });
    }
  }
  return operations;
}

/** Member add or remove operations, `{value: id}` arrays of at most `maxPerOperation` ids each. */
export function memberOperations(op: 'add' | 'remove', userIds: readonly string[], maxPerOperation: number): ScimPatchOperation[] {
  const operations: ScimPatchOperation[] = [];
  for (let i = 0; i < userIds.length; i += maxPerOperation) {
    operations.push({ op, path: 'members', value: userIds.slice(i, i + maxPerOperation).map((value) => ({ value })) });
  }
  return operations;
}

/** Splits `urn:…:User:attr.sub` into its schema URN and the attribute path inside it. */
export function splitExtensionPath(path: string): { schema: string; attribute: string } | undefined {
  if (!path.startsWith('urn:')) return undefined;
  const at = path.lastIndexOf(':');
  return { schema: path.slice(0, at), attribute: path.slice(at + 1) };
}

function nestedValue(attribute: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = attribute.split('.');
  return { [head ?? attribute]: rest.length === 0 ? value : nestedValue(rest.join('.'), value) };
}

/** Rewrites add/replace of an extension path as a path-less value object (`{op, value: {urn: {attr: v}}}`). */
export function withoutExtensionPaths(operations: readonly ScimPatchOperation[]): ScimPatchOperation[] {
  return operations.map((operation) => {
    const split = operation.path === undefined || operation.op === 'remove' ? undefined : splitExtensionPath(operation.path);
    if (split === undefined) return operation;
    return { op: operation.op, value: { [split.schema]: nestedValue(split.attribute, operation.value) } };
  });
}

function entraValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return value;
}

/** The PatchOp request body in the chosen dialect. */
export function patchRequestBody(operations: readonly ScimPatchOperation[], dialect: PatchDialect): Record<string, unknown> {
  const wire = operations.map((operation) => {
    const op = dialect === 'entra' ? operation.op[0]!.toUpperCase() + operation.op.slice(1) : operation.op;
    const entry: Record<string, unknown> = { op };
    if (operation.path !== undefined) entry.path = operation.path;
    if (operation.value !== undefined) entry.value = dialect === 'entra' ? entraValue(operation.value) : operation.value;
    return entry;
  });
  return { schemas: [patchOpSchema], Operations: wire };
}
