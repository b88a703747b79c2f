// Console sessions: random ids kept in memory (a restart signs everyone out), each with its CSRF token and who it is.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  /** Written as `actor` on every action taken through the console, e.g. `console:alice`. */
  actor: string;
  /** Every state-changing form carries it; a POST without it is refused. */
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStore {
  create(actor: string): { id: string; session: Session };
  find(id: string | undefined): Session | undefined;
  remove(id: string | undefined): void;
}

const sessionLifetimeMs = 8 * 60 * 60 * 1000;
const maxSessions = 1000;

export function createSessionStore(now: () => number = Date.now): SessionStore {
  const sessions = new Map<string, Session>();
  const dropExpired = () => {
    for (const [id, session] of sessions) if (session.expiresAt <= now()) sessions.delete(id);
  };
  return {
    create(actor) {
      dropExpired();
      // A flood of sign-ins must not grow memory without bound: the oldest session goes first.
      if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value as string);
      const id = randomBytes(32).toString('base64url');
      const session = { actor, csrfToken: randomBytes(32).toString('base64url'), expiresAt: now() + sessionLifetimeMs };
      sessions.set(id, session);
      return { id, session };
    },
    find(id) {
      if (!id) return undefined;
      const session = sessions.get(id);
      if (!session) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(id);
        return undefined;
      }
      return session;
    },
    remove(id) {
      if (id) sessions.delete(id);
    },
  };
}

/** Compares two secrets in constant time (their digests have the same length whatever the input). */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export interface SignInThrottle {
  /** False while too many sign-ins failed within the window: the form answers 429 without checking the password. */
  allowed(): boolean;
  recordFailure(): void;
}

/**
 * At most `limit` failed sign-ins per window, for the whole process: a shared password cannot be guessed at speed.
 * (Counted globally, not per address: behind a proxy every client has the proxy's address.)
 */
export function createSignInThrottle(limit = 10, windowMs = 60_000, now: () => number = Date.now): SignInThrottle {
  let failures: number[] = [];
  const recent = () => (failures = failures.filter((at) => at > now() - windowMs));
  return {
    allowed: () => recent().length < limit,
    recordFailure: () => void failures.push(now()),
  };
}
