// Every Notion SCIM quirk the client honours, with the reference section (docs/reference/notion-scim.md) it comes from.
import type { ScimPatchOperation } from './patch.js';
import type { ScimProfile } from './profile.js';

/** Documented base URL (§1.1); other hosts answer too, and `meta.location` names app.notion.com: never followed. */
export const notionScimBaseUrl = 'https://api.notion.com/scim/v2';

/** Notion's own schema extension carrying the workspace role (§2.1); sent only when the mapping maps it. */
export const notionUserExtensionUrn = 'urn:ietf:params:scim:schemas:extension:notion:2.0:User';

function touchesUserName(operation: ScimPatchOperation): boolean {
  const path = operation.path?.toLowerCase();
  if (path !== undefined) return path === 'username' || path.startsWith('emails');
  // A path-less operation carries its attributes in the value object.
  const value = operation.value;
  return typeof value === 'object' && value !== null && Object.keys(value).some((k) => /^(username|emails)$/i.test(k));
}

export const notionProfile: ScimProfile = {
  name: 'notion',
  // `count` has a maximum of 100 (§2.5).
  maxPageSize: 100,
  // No SCIM rate limit is documented; about 2 requests per second per token, serialised, is what works (§5.1).
  defaultRequestsPerSecond: 2.5,
  defaultMaxConcurrency: 1,
  // The maximum members per PATCH is undocumented; public scripts send one at a time (§4, §7.7, §9.2). The size in
  // use adapts below this ceiling (halved on 400/413), so a higher ceiling costs one refused request per cycle at most.
  defaultMaxMembersPerPatch: 100,
  // Undocumented for Notion (§4); the simulator accepts them and the client checks every answer (§9.1).
  membersOnCreate: true,
  // Notion documents `email eq` (lower-cased) as its filter; `userName eq` is what Entra uses (§2.4, §7.2).
  userNameFallbackFilter: { attribute: 'email', lowerCaseValue: true },
  // externalId is not in Notion's mapping table and real responses lack it (§2.1).
  storesExternalId: false,
  // Photos are read on create only, never on later updates (§2.1).
  createOnlyAttributes: ['photos'],
  // Extension paths with `:` are inconsistently supported; ConductorOne patches the role as a value object (§2.3).
  extensionPatchWithoutPath: true,
  // Whether adding an existing member fails is undocumented; a 409 there means "already a member" (§5.3).
  memberAlreadyPresentStatuses: [409],
  memberAlreadyAbsentStatuses: [409],
  // PATCH/PUT of userName to an email owned by another account answers 500, not 409 (§3.5, §5.4.8).
  isUserNameCollision: (status, operations) => status === 500 && operations.some(touchesUserName),
  // active=false and DELETE both remove the member from the workspace; neither deletes the account (§3.1).
  deprovisionEffect: {
    activeFalse: 'removes the member from the workspace (the Notion account remains)',
    delete: 'removes the member from the workspace and ends their sessions (the Notion account remains)',
  },
};
