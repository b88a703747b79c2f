// The SCIM target paths a mapping may write, and the type each one expects (reference §3, SCIM-TUT mapping table).

export type TargetType = 'string' | 'boolean';

export const enterpriseUserPrefix = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:';
export const notionUserPrefix = 'urn:ietf:params:scim:schemas:extension:notion:2.0:User:';

const userSimple: Record<string, TargetType> = {
  userName: 'string',
  displayName: 'string',
  nickName: 'string',
  title: 'string',
  userType: 'string',
  preferredLanguage: 'string',
  locale: 'string',
  timezone: 'string',
  externalId: 'string',
  active: 'boolean',
};
const nameParts = new Set(['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix']);
const enterpriseAttributes = new Set(['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']);
const notionAttributes = new Set(['role']);
const emailPath = /^emails\[type eq "(work|home|other)"\]\.value$/;
const phonePath = /^phoneNumbers\[type eq "(work|mobile|fax|home|other|pager)"\]\.value$/;
const groupSimple: Record<string, TargetType> = { displayName: 'string', externalId: 'string' };

export type TargetCheck = { ok: true; type: TargetType } | { ok: false; message: string };

export function checkUserTarget(path: string): TargetCheck {
  const simple = userSimple[path];
  if (simple !== undefined && Object.hasOwn(userSimple, path)) return { ok: true, type: simple };
  if (path.startsWith('name.') && nameParts.has(path.slice('name.'.length))) return { ok: true, type: 'string' };
  if (emailPath.test(path) || phonePath.test(path)) return { ok: true, type: 'string' };
  if (path.startsWith(enterpriseUserPrefix) && enterpriseAttributes.has(path.slice(enterpriseUserPrefix.length))) return { ok: true, type: 'string' };
  if (path.startsWith(notionUserPrefix) && notionAttributes.has(path.slice(notionUserPrefix.length))) return { ok: true, type: 'string' };
  return {
    ok: false,
    message:
      `unknown SCIM user target "${path}"; expected one of ${Object.keys(userSimple).join(', ')}, name.<${[...nameParts].join('|')}>, ` +
      `emails[type eq "work|home|other"].value, phoneNumbers[type eq "work|mobile|fax|home|other|pager"].value, ` +
      `${enterpriseUserPrefix}<${[...enterpriseAttributes].join('|')}> or ${notionUserPrefix}role`,
  };
}

export function checkGroupTarget(path: string): TargetCheck {
  const simple = groupSimple[path];
  if (simple !== undefined && Object.hasOwn(groupSimple, path)) return { ok: true, type: simple };
  // Group members are not an attribute mapping: the engine provisions them from the mirrored memberships.
  return { ok: false, message: `unknown SCIM group target "${path}"; expected ${Object.keys(groupSimple).join(' or ')}` };
}
