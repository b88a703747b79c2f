// Reads a SCIM PatchOp body into operations; Notion takes `op` in any case (`Replace`, reference §2.3).
import { ScimHttpError } from './scim-error.js';

export type PatchVerb = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchVerb;
  path?: string;
  value?: unknown;
}

const verbs: readonly string[] = ['add', 'replace', 'remove'];

export function readPatchOperations(body: unknown): PatchOperation[] {
  const operations = isRecord(body) ? body.Operations : undefined;
  if (!Array.isArray(operations)) throw new ScimHttpError(400, 'A PatchOp needs an Operations array', 'invalidSyntax');
  return operations.map((operation: unknown) => {
    if (!isRecord(operation) || typeof operation.op !== 'string' || !verbs.includes(operation.op.toLowerCase())) {
      throw new ScimHttpError(400, `Unsupported operation ${JSON.stringify(operation)}`, 'invalidSyntax');
    }
    if (operation.path !== undefined && typeof operation.path !== 'string') throw new ScimHttpError(400, 'path must be a string', 'invalidPath');
    return { op: operation.op.toLowerCase() as PatchVerb, ...(operation.path === undefined ? {} : { path: operation.path }), value: operation.value };
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
