// B2B guests: what `[userPrincipalName]` means for a user whose UPN carries `#EXT#`, and what GUEST_USERS makes of it.
// Entra strips `#EXT#` and the tenant's domain when the UPN is a source attribute, so the target sees the guest's own
// `alias@theirdomain`; `originalUserPrincipalName` keeps the full value (reference §10.1).

/** `map-upn`: Entra's rule (the default). `map-mail`: a guest's `[userPrincipalName]` reads `mail`. `skip`: not provisioned. */
export const guestRules = ['map-upn', 'map-mail', 'skip'] as const;
export type GuestRule = (typeof guestRules)[number];
export const defaultGuestRule: GuestRule = 'map-upn';

const externalMarker = '#ext#';

export const carriesExternalMarker = (value: unknown): boolean => typeof value === 'string' && value.toLowerCase().includes(externalMarker);

/** A B2B user: `userType` Guest (reference §10.2), or a UPN in the `#EXT#` form whatever its userType (external members). */
export function isGuestUser(readRaw: (name: string) => unknown): boolean {
  const userType = readRaw('userType');
  return (typeof userType === 'string' && userType.trim().toLowerCase() === 'guest') || carriesExternalMarker(readRaw('userPrincipalName'));
}

/**
 * `alias_theirdomain#EXT#@yourdomain` → `alias@theirdomain`: the part before `#EXT#`, its last `_` read as the `@`
 * (an alias may hold `_`, a domain may not). A UPN without `#EXT#` is returned as it is; one in no known form is
 * returned unchanged, so that the `#EXT#` it still carries stops the create (desired.ts).
 */
export function externalUserName(upn: string): string {
  const at = upn.toLowerCase().indexOf(externalMarker);
  if (at < 0) return upn;
  const local = upn.slice(0, at);
  const underscore = local.lastIndexOf('_');
  if (underscore <= 0 || underscore === local.length - 1) return upn;
  return `${local.slice(0, underscore)}@${local.slice(underscore + 1)}`;
}

/** What the guest rule did to one user, for `plan`, `provision` and the provisioning log. */
export interface GuestOutcome {
  rule: GuestRule;
  /** The UPN as Graph holds it (`originalUserPrincipalName`). */
  originalUserPrincipalName: string | null;
  /** What `[userPrincipalName]` reads under the rule; null for `skip` or a missing mail. */
  userPrincipalName: string | null;
  /** `skip` only: why the user is left out. */
  skipped?: string;
}

/** The values a guest's evaluation reads in place of the mirrored ones; undefined for a member. */
export function guestOutcome(rule: GuestRule, readRaw: (name: string) => unknown): GuestOutcome | undefined {
  if (!isGuestUser(readRaw)) return undefined;
  const raw = readRaw('userPrincipalName');
  const original = typeof raw === 'string' ? raw : null;
  switch (rule) {
    case 'skip':
      return { rule, originalUserPrincipalName: original, userPrincipalName: null, skipped: `B2B guest (${original ?? 'no UPN'}): GUEST_USERS=skip leaves guests out of Notion` };
    case 'map-mail': {
      const mail = readRaw('mail');
      return { rule, originalUserPrincipalName: original, userPrincipalName: typeof mail === 'string' && mail.trim() !== '' ? mail.trim() : null };
    }
    case 'map-upn':
      return { rule, originalUserPrincipalName: original, userPrincipalName: original === null ? null : externalUserName(original) };
  }
}
