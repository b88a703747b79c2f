// The clientState: the shared secret Graph echoes in every notification, the endpoint's only authentication
// (reference graph-notifications §3). From NOTIFICATION_CLIENT_STATE, or generated once per target in the store.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LoadedConfig } from '../config/index.js';
import { registerSecrets } from '../observe/index.js';
import { claimNotificationSecret, type Store } from '../store/index.js';

/** 64 characters of base64url (384 random bits), under Graph's limit of 128 characters. */
export function generateClientState(): string {
  return randomBytes(48).toString('base64url');
}

/** What the store keeps of a subscription's secret: its SHA-256, enough to see that the secret changed. */
export function clientStateHash(clientState: string): string {
  return createHash('sha256').update(clientState).digest('hex');
}

/** Constant-time comparison: both sides are hashed first, so neither the length nor a prefix leaks through timing. */
export function clientStateMatches(expected: string, received: unknown): boolean {
  if (typeof received !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(received));
}

/** The configured secret, or the target's generated one (the first replica's wins); registered for redaction. */
export async function resolveClientState(config: LoadedConfig, store: Store): Promise<string> {
  const clientState = config.notifications.clientState ?? (await claimNotificationSecret(store.db, config.target, generateClientState()));
  registerSecrets([clientState]);
  return clientState;
}
