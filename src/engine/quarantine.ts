// The quarantine of a target (reference entra-provisioning §4.3): entered when Notion refuses the token or too many
// operations fail, left by a good cycle, by `reset quarantine`, or at once when what could have caused it changed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/index.js';
import { compileMapping } from '../mapping/index.js';
import type { Logger } from '../observe/index.js';
import { readTargetState, updateTargetState, type Database, type Store } from '../store/index.js';
import { quarantineDelayMs } from './backoff.js';

/** A certificate rotated in place keeps its path: its content counts. A missing file counts as its path alone. */
function fileDigest(path: string | undefined): string | null {
  if (path === undefined) return null;
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

function mappingFingerprint(config: LoadedConfig): string {
  try {
    return compileMapping(config.mapping).fingerprint;
  } catch {
    // A mapping that does not compile stops the cycle anyway; its text still tells a change apart.
    return createHash('sha256').update(JSON.stringify(config.mapping ?? null)).digest('hex');
  }
}

/**
 * One SHA-256 over everything that can cause a quarantine: the Notion endpoint and token, the Entra tenant, client and
 * credential settings, and the mapping. Only the digest is stored; the secrets never leave the configuration.
 */
export function quarantineFingerprint(config: LoadedConfig): string {
  const material = {
    notion: { scimUrl: config.notion.scimUrl, token: config.notion.token ?? null },
    entra: config.entra,
    certificate: fileDigest(config.entra.certificatePath),
    mapping: mappingFingerprint(config),
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

export async function enterQuarantine(db: Database, config: LoadedConfig, reason: string, now: Date): Promise<{ reason: string; nextAttemptAt: Date }> {
  const state = await readTargetState(db, config.target);
  const seriesCount = (state?.quarantineSeriesCount ?? 0) + 1;
  const nextAttemptAt = new Date(now.getTime() + quarantineDelayMs(seriesCount));
  await updateTargetState(db, config.target, {
    quarantineReason: reason,
    quarantineSince: state?.quarantineSince ?? now,
    quarantineSeriesCount: seriesCount,
    quarantineNextAttemptAt: nextAttemptAt,
    quarantineFingerprint: quarantineFingerprint(config),
  });
  return { reason, nextAttemptAt };
}

export async function leaveQuarantine(db: Database, target: string): Promise<void> {
  await updateTargetState(db, target, { quarantineReason: null, quarantineSince: null, quarantineSeriesCount: 0, quarantineNextAttemptAt: null, quarantineFingerprint: null });
}

/**
 * Lifts the quarantine when the credentials or configuration differ from those in force when it began (the token was
 * fixed, the secret rotated, the mapping corrected): the next cycle runs at once instead of waiting out the back-off.
 * Returns whether it lifted one. Called at the start of every cycle, and by the worker when it starts.
 */
export async function liftQuarantineOnNewConfiguration(store: Store, config: LoadedConfig, logger: Logger): Promise<boolean> {
  const state = await readTargetState(store.db, config.target);
  if (!state?.quarantineReason || !state.quarantineFingerprint) return false;
  if (state.quarantineFingerprint === quarantineFingerprint(config)) return false;
  await leaveQuarantine(store.db, config.target);
  logger.info(
    { event: 'quarantine.lifted', why: 'the credentials or configuration changed since the quarantine began', quarantineReason: state.quarantineReason },
    'quarantine.lifted',
  );
  return true;
}
