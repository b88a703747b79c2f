// Backoff schedules: per-object escrow retries, and the quarantine of a whole target (reference entra-provisioning §4.2, §4.3).

const minute = 60_000;
const day = 24 * 60 * minute;

/**
 * Escrow: a first failure (most often a one-off 5xx or a reset) is due again at the next cycle; an object that keeps
 * failing follows Entra's schedule from its second failed cycle: 10 min, doubling, at most a day (Entra retries failed
 * objects in later cycles).
 */
export function escrowDelayMs(attempts: number): number {
  if (attempts <= 1) return 0;
  return Math.min(10 * minute * 2 ** (attempts - 2), day);
}

/** Quarantine: 30 min, doubling per quarantined cycle in a row, at most a day (Entra reduces to once a day). */
export function quarantineDelayMs(seriesCount: number): number {
  return Math.min(30 * minute * 2 ** Math.max(0, seriesCount - 1), day);
}
