// Why an on-demand provisioning could not act, for the report a person reads: Notion's status, its own words (the
// SCIM error's detail, RFC 7644 §3.12) and what to check, instead of a bare "failed".
import { ScimError } from '../scim/index.js';

/** What the engine set out to do and why it did not happen; nothing was sent to Notion. */
export interface OnDemandFailure {
  action: 'create';
  reason: string;
}

/** What to check for each kind of refusal that a person can act on. */
const remedyOf: Partial<Record<ScimError['kind'], string>> = {
  auth: 'check NOTION_SCIM_TOKEN (Notion refuses a revoked or mistyped token)',
  transient: 'Notion is unavailable or busy: try again later',
};

/** "Notion answered 401: Invalid or missing bearer token: check NOTION_SCIM_TOKEN …"; any other error by its message. */
export function describeNotionFailure(error: unknown): string {
  if (!(error instanceof ScimError)) return error instanceof Error ? error.message : String(error);
  const answered = error.status === undefined ? error.message : `Notion answered ${error.status}${error.detail ? `: ${error.detail}` : ''}`;
  const remedy = remedyOf[error.kind];
  return remedy ? `${answered}: ${remedy}` : answered;
}
