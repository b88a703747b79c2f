// The credential refusals that quarantine a target (README "Quarantine"; reference entra-provisioning §4.3): Notion
// refusing the token on any request of a cycle, Entra refusing the app's credentials or permissions on the import, and
// the token check a quiet cycle sends. Retrying will not help any of them: the target waits out the quarantine's
// back-off, or a changed configuration lifts it at once (quarantine.ts).
import type { ImportResult } from '../entra/index.js';
import { describeScimFailure, ScimError, type ScimClient } from '../scim/index.js';
import { readTargetState, updateTargetState, type Database } from '../store/index.js';

/**
 * "Notion refused the SCIM token: …" when the first SCIM error among the error and its causes is an auth one; else
 * undefined. The first only: a 403 the client proved was not about the token (the token owner's removal) is a refusal
 * of its own whose cause is that 403.
 */
export function notionRefusal(error: unknown): string | undefined {
  let cause = error;
  while (cause instanceof Error && !(cause instanceof ScimError)) cause = cause.cause;
  return cause instanceof ScimError && cause.kind === 'auth' ? describeScimFailure(cause) : undefined;
}

/** The import stopped because Entra refused the app (an expired secret, a revoked consent, a missing permission). */
export function entraRefusal(importResult: ImportResult | undefined): string | undefined {
  if (importResult === undefined || importResult.complete || importResult.incompleteKind !== 'auth') return undefined;
  return `Entra refused the app's credentials or permissions (${importResult.incompleteReason ?? 'auth'}): check ENTRA_CLIENT_SECRET or the certificate, and the app's Graph permissions`;
}

// A cycle with nothing to send would not notice a revoked token until the next change came (a quiet workspace: days).
// An hour bounds that, at one request an hour, so a no-change cycle right after another still sends Notion nothing.
const checkAfterQuietMs = 60 * 60 * 1000;

/**
 * After a completed cycle: when it sent Notion nothing and Notion last answered an hour ago or more, proves the token
 * with a lookup that finds nothing. Returns the refusal to quarantine on. Any other failure (Notion unreachable after
 * the client's retries, a spoiled answer) throws: the cycle fails, visibly, rather than succeed having checked nothing.
 */
export async function checkNotionWhenQuiet(db: Database, target: string, scim: ScimClient, now: Date): Promise<string | undefined> {
  if (scim.stats().requests === 0) {
    const checkedAt = (await readTargetState(db, target))?.notionCheckedAt;
    if (checkedAt && now.getTime() - checkedAt.getTime() < checkAfterQuietMs) return undefined;
    const check = await scim.checkConnection();
    if (!check.ok && check.kind === 'auth') return describeScimFailure(check.error);
    if (!check.ok) throw new Error(`The token check a quiet cycle sends to Notion failed: ${check.message}`);
  }
  await updateTargetState(db, target, { notionCheckedAt: now });
  return undefined;
}
