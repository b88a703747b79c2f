// Applies SCIM attribute writes (POST bodies, PATCH operations, PUT bodies) to a draft Notion user (reference §2.1, §2.3).
import { isRecord, type PatchOperation, type PatchVerb } from './patch-operations.js';
import { ScimHttpError, schemaUrn } from './scim-error.js';
import { notionRoles, type NotionRole, type NotionUser, type ScimMultiValue } from './workspace.js';

const enterprisePrefix = `${schemaUrn.enterpriseUser}:`.toLowerCase();
const notionPrefix = `${schemaUrn.notionUser}:`.toLowerCase();
const extensionUrns = [schemaUrn.enterpriseUser.toLowerCase(), schemaUrn.notionUser.toLowerCase()];
const typedValuePath = /^(emails|phoneNumbers)\[type eq "([^"]*)"\](\.value)?$/i;
const enterpriseAttributes = ['division', 'department', 'costCenter', 'organization', 'employeeNumber', 'manager'];
const stringAttributes = { title: 'title', locale: 'locale', preferredlanguage: 'preferredLanguage', usertype: 'userType' } as const;
const nameParts = { 'name.formatted': 'formatted', 'name.givenname': 'givenName', 'name.familyname': 'familyName' } as const;

export interface UserWriteResult {
  /** The `active` value the writes asked for, if any: Notion turns false into removal from the workspace. */
  active?: boolean;
}

/** Applies operations in order to `draft` (mutated). `creating` allows photos, which Notion reads on create only. */
export function applyUserOperations(draft: NotionUser, operations: PatchOperation[], creating: boolean): UserWriteResult {
  const result: UserWriteResult = {};
  for (const operation of operations) {
    if (operation.path === undefined) {
      if (!isRecord(operation.value)) throw new ScimHttpError(400, 'A PATCH without path needs an object value', 'invalidValue');
      for (const [key, value] of Object.entries(operation.value)) {
        if (extensionUrns.includes(key.toLowerCase()) && isRecord(value)) {
          // Path-less extension objects, as ConductorOne sends the role (§2.3).
          for (const [attribute, inner] of Object.entries(value)) writeAttribute(draft, `${key}:${attribute}`, operation.op, inner, creating, result);
        } else {
          writeAttribute(draft, key, operation.op, value, creating, result);
        }
      }
    } else {
      writeAttribute(draft, operation.path, operation.op, operation.value, creating, result);
    }
  }
  return result;
}

function writeAttribute(draft: NotionUser, path: string, verb: PatchVerb, value: unknown, creating: boolean, result: UserWriteResult): void {
  const key = path.toLowerCase();
  const clear = verb === 'remove';
  if (key.startsWith(enterprisePrefix)) return writeEnterprise(draft, path.slice(enterprisePrefix.length), clear, value);
  if (key.startsWith(notionPrefix)) return writeNotionExtension(draft, path.slice(notionPrefix.length), clear, value);
  const typed = typedValuePath.exec(path);
  if (typed) return writeTypedValue(draft, typed[1]?.toLowerCase() === 'emails' ? 'emails' : 'phoneNumbers', typed[2] ?? '', clear, value);
  if (Object.hasOwn(nameParts, key)) {
    const part = nameParts[key as keyof typeof nameParts];
    draft.name = { ...draft.name };
    if (clear) delete draft.name[part];
    else draft.name[part] = requireString(path, value);
    return;
  }
  if (Object.hasOwn(stringAttributes, key)) {
    const attribute = stringAttributes[key as keyof typeof stringAttributes];
    if (clear) delete draft[attribute];
    else draft[attribute] = requireString(path, value);
    return;
  }
  switch (key) {
    case 'username':
      if (clear) throw new ScimHttpError(400, 'userName is required', 'mutability');
      draft.userName = requireString(path, value);
      return;
    case 'displayname': // Notion's one name field (§2.1)
      return writeAttribute(draft, 'name.formatted', verb, value, creating, result);
    case 'name':
      if (clear) draft.name = {};
      else for (const [part, inner] of Object.entries(requireRecord(path, value))) writeAttribute(draft, `name.${part}`, verb, inner, creating, result);
      return;
    case 'emails': {
      const emails = clear ? [] : requireMultiValues(path, value);
      draft.emails = verb === 'add' ? [...draft.emails.filter((e) => !emails.some((n) => n.value === e.value)), ...emails] : emails;
      return;
    }
    case 'phonenumbers':
      return storePhoneNumber(draft, clear ? [] : requireMultiValues(path, value));
    case 'addresses':
    case 'roles':
      if (clear) delete draft[key];
      else draft[key] = requireArray(path, value);
      return;
    case 'photos': // read on create only, never on later updates (§2.1)
      if (creating && !clear) draft.photos = requireArray(path, value);
      return;
    case 'active':
      if (clear) throw new ScimHttpError(400, 'active cannot be removed', 'mutability');
      result.active = readActive(value);
      return;
    case 'externalid': // not stored by Notion (§2.1)
    case 'schemas':
    case 'id':
    case 'meta':
      return;
    default:
      throw new ScimHttpError(400, `Unsupported attribute path ${JSON.stringify(path)}`, 'invalidPath');
  }
}

/** `emails[type eq "work"].value`, the form Entra sends (§2.3). */
function writeTypedValue(draft: NotionUser, attribute: 'emails' | 'phoneNumbers', type: string, clear: boolean, value: unknown): void {
  const current = attribute === 'emails' ? draft.emails : draft.phoneNumber ? [draft.phoneNumber] : [];
  const others = current.filter((entry) => entry.type !== type);
  const entry = isRecord(value) ? requireMultiValues(attribute, [value])[0] : { value: requireString(attribute, value) };
  const next = clear || !entry ? others : [...others, { ...current.find((e) => e.type === type), ...entry, type }];
  if (attribute === 'emails') draft.emails = next;
  else storePhoneNumber(draft, next.slice(-1));
}

/** Notion keeps one number: the primary entry, else the first with a value, with its type (§2.1). */
function storePhoneNumber(draft: NotionUser, numbers: ScimMultiValue[]): void {
  const kept = numbers.find((n) => n.primary && n.value) ?? numbers.find((n) => n.value);
  if (kept) draft.phoneNumber = kept;
  else delete draft.phoneNumber;
}

function writeEnterprise(draft: NotionUser, attributePath: string, clear: boolean, value: unknown): void {
  const [head = '', sub] = attributePath.split('.', 2);
  const attribute = enterpriseAttributes.find((name) => name.toLowerCase() === head.toLowerCase());
  if (!attribute) throw new ScimHttpError(400, `Unsupported enterprise attribute ${JSON.stringify(attributePath)}`, 'invalidPath');
  const enterprise = { ...draft.enterprise };
  if (clear) delete enterprise[attribute];
  else if (attribute === 'manager') enterprise.manager = readManager(enterprise.manager, sub, value);
  else enterprise[attribute] = requireString(attributePath, value);
  draft.enterprise = enterprise;
}

/** Notion wants `manager.value` to be an email (§2.1); a bare `manager` value is taken as manager.value. */
function readManager(current: unknown, sub: string | undefined, value: unknown): { value?: string; displayName?: string } {
  const manager: { value?: string; displayName?: string } = isRecord(current) ? { ...current } : {};
  const part = sub?.toLowerCase();
  if (part === 'displayname') {
    manager.displayName = requireString('manager.displayName', value);
  } else if (part === undefined && isRecord(value)) {
    if (value.value !== undefined) manager.value = requireString('manager.value', value.value);
    if (value.displayName !== undefined) manager.displayName = requireString('manager.displayName', value.displayName);
  } else if (part === undefined || part === 'value') {
    manager.value = requireString('manager.value', value);
  } else {
    throw new ScimHttpError(400, `Unsupported manager attribute ${JSON.stringify(sub)}`, 'invalidPath');
  }
  if (manager.value !== undefined && !manager.value.includes('@')) throw new ScimHttpError(400, 'manager.value must be an email', 'invalidValue');
  return manager;
}

function writeNotionExtension(draft: NotionUser, attribute: string, clear: boolean, value: unknown): void {
  if (attribute.toLowerCase() !== 'role') throw new ScimHttpError(400, `Unsupported Notion attribute ${JSON.stringify(attribute)}`, 'invalidPath');
  if (clear) {
    delete draft.role;
    return;
  }
  if (typeof value !== 'string' || !notionRoles.includes(value as NotionRole)) {
    throw new ScimHttpError(400, `role must be one of ${notionRoles.join(', ')}`, 'invalidValue');
  }
  draft.role = value as NotionRole;
}

/** Entra and others send booleans or the strings "True"/"False" (MS-SCIM). */
function readActive(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ScimHttpError(400, 'active must be a boolean', 'invalidValue');
}

function requireString(path: string, value: unknown): string {
  if (typeof value !== 'string') throw new ScimHttpError(400, `${path} must be a string`, 'invalidValue');
  return value;
}

function requireRecord(path: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) throw new ScimHttpError(400, `${path} must be an object`, 'invalidValue');
  return value;
}

function requireArray(path: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new ScimHttpError(400, `${path} must be an array`, 'invalidValue');
  return value;
}

function requireMultiValues(path: string, value: unknown): ScimMultiValue[] {
  return requireArray(path, value).map((entry) => {
    if (!isRecord(entry) || typeof entry.value !== 'string') throw new ScimHttpError(400, `${path} entries need a string value`, 'invalidValue');
    return {
      value: entry.value,
      ...(typeof entry.type === 'string' ? { type: entry.type } : {}),
      ...(typeof entry.primary === 'boolean' ? { primary: entry.primary } : {}),
    };
  });
}
