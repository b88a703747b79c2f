// The simulator's switches: each plays one observed Notion behaviour or one plausible answer to a documented gap.

export interface NotionSimulatorOptions {
  /** Bearer token the SCIM API accepts. Default 'notion-sim-token'. */
  token?: string;
  /** Loopback port; default 0 (a free one). The simulator always binds 127.0.0.1. */
  port?: number;
  /** Largest page; a larger `count` is clamped (reference §2.5: max 100; clamp vs reject is a gap). Default 100. */
  pageSizeCap?: number;
  /** Each list request sees its own random order (Notion has no sort, §2.5), so offset walks skip and repeat. */
  unstableOrder?: boolean;
  /** Token bucket over all SCIM requests; empty → 429 with `Retry-After` in whole seconds, rounded up. */
  rateLimit?: { requestsPerSecond: number; burst: number } | null;
  /** Delay added before every SCIM request is handled. */
  latencyMs?: number;
  /** Most member values one group PATCH may carry; above it → 400. Default 100 (a gap, §4). */
  maxMembersPerPatch?: number;
  /** What GET /Users/{id} of a removed member answers: 404, or the user with `active: false` (§3.1 gap). Default 'not-found'. */
  removedUserLookup?: 'not-found' | 'inactive';
  /** PATCH active=true on a removed member re-adds them (§3.2 gap). Default false: the change is ignored and the user stays removed. */
  reactivateByPatch?: boolean;
  /** DELETE /Groups/{id} is refused with 400, as Notion does when no one would keep full access to a page (§4). */
  refuseGroupDelete?: boolean;
  /** Whether `userName eq` filters work ('supported', the default) or answer 400 invalidFilter (§2.4: Notion documents only `email`). */
  userNameFilter?: 'supported' | 'bad-request';
  /** Adding a member already in the group: 'ignore' (the default, 204) or 'conflict' (409) (§5.3 gap). */
  duplicateMemberAdd?: 'ignore' | 'conflict';
  /** The owner who created the token: removing them (DELETE or active=false) answers 403 (§3.3). */
  tokenOwnerUserName?: string;
  /** A faulty server: POST /Users creates the user but answers 201 with this existing member (by userName) instead. */
  createAnswersMember?: string;
  /** A faulty server: `filter` on GET /Users and /Groups is ignored; the answer pages over every member or group. */
  ignoreFilters?: boolean;
  /** Seed for the draws of `rate` faults, so that a run is repeatable; unset: Math.random. */
  faultSeed?: number;
  /**
   * What a member's removal (DELETE or active=false) does to their group memberships (§3.6, undocumented for SCIM):
   * 'restore-within-30-days' (the default, what Notion's help pages say): they are dropped, and a member added back
   * within 30 days gets them back; 'drop': dropped for good; 'keep': kept, as an RFC 7644 server keeps an inactive
   * user's memberships.
   */
  membershipsOnRemoval?: MembershipsOnRemoval;

  // Writes Notion refuses (h3): member batches, members on create, owners and unverified domains.
  /** Status of a member PATCH carrying more than `maxMembersPerPatch` values: 400 (the default) or 413 (§4 gap). */
  oversizeMemberPatchStatus?: 400 | 413;
  /** A member PATCH refused for members that are not workspace members names them ('names-ids', the default) or not ('generic'). */
  memberRefusalDetail?: 'names-ids' | 'generic';
  /** POST /Groups with members: 'accept' (the default), 'refuse' (400, nothing created) or 'ignore' (created empty) (§4 gap). */
  membersOnCreate?: 'accept' | 'refuse' | 'ignore';
  /** Removing a member whose role is owner (DELETE or active=false) answers 400 (the status is a gap, §3.3). Default false. */
  refuseOwnerRemoval?: boolean;
  /** Verified email domains: a change of email or name of a member outside them answers 400 (§3.5, status a gap). Unset: all verified. */
  verifiedDomains?: string[];
}

export type MembershipsOnRemoval = 'restore-within-30-days' | 'drop' | 'keep';
export const membershipsOnRemovalModes: readonly MembershipsOnRemoval[] = ['restore-within-30-days', 'drop', 'keep'];

export type ResolvedOptions = Required<Omit<NotionSimulatorOptions, 'tokenOwnerUserName' | 'rateLimit' | 'createAnswersMember' | 'faultSeed' | 'verifiedDomains'>> & {
  verifiedDomains: string[] | undefined;
  rateLimit: { requestsPerSecond: number; burst: number } | null;
  tokenOwnerUserName: string | undefined;
  createAnswersMember: string | undefined;
  faultSeed: number | undefined;
};

export const defaultOptions: ResolvedOptions = {
  token: 'notion-sim-token',
  port: 0,
  pageSizeCap: 100,
  unstableOrder: false,
  rateLimit: null,
  latencyMs: 0,
  maxMembersPerPatch: 100,
  removedUserLookup: 'not-found',
  reactivateByPatch: false,
  refuseGroupDelete: false,
  userNameFilter: 'supported',
  duplicateMemberAdd: 'ignore',
  tokenOwnerUserName: undefined,
  createAnswersMember: undefined,
  ignoreFilters: false,
  faultSeed: undefined,
  membershipsOnRemoval: 'restore-within-30-days',
  oversizeMemberPatchStatus: 400,
  memberRefusalDetail: 'names-ids',
  membersOnCreate: 'accept',
  refuseOwnerRemoval: false,
  verifiedDomains: undefined,
};

export interface NotionFault {
  /** status: a SCIM error with `status` (default 500); reset: the connection is reset; timeout: no answer until close;
   *  malformed: a truncated JSON body; html: an HTML error page (default 502), as a proxy in front of Notion would send. */
  kind: 'status' | 'reset' | 'timeout' | 'malformed' | 'html';
  status?: number;
  /** The next N matching requests (default 1 when `rate` is not given). */
  count?: number;
  /** Instead of `count`: this share (0..1) of matching requests, until cleared. */
  rate?: number;
  /** 'before' (default): the request is not applied. 'after': it is applied, then its answer is lost or spoiled. */
  when?: 'before' | 'after';
  /** Which requests; `path` is tested against the path after /scim/v2, e.g. '/Users/<id>'. */
  match?: { method?: string; path?: RegExp };
}
