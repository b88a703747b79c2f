// Turns a failure to reach the store into one sentence an operator can act on (the variable to fix and why), or
// undefined when the failure is not about reaching the store. Never quotes the URL: it may hold a password.
import { resolve, sep } from 'node:path';
import { DrizzleQueryError } from 'drizzle-orm';
import { databaseConnectionOf } from '../config/index.js';

const networkProblems: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is Postgres running and listening on that host and port?',
  ENOTFOUND: 'the host name does not resolve (DNS): check the host in the URL',
  EAI_AGAIN: 'the host name could not be resolved right now (DNS): check the host and the resolver',
  ETIMEDOUT: 'the connection timed out: check the host, the port and any firewall in between',
  EHOSTUNREACH: 'the host is unreachable: check the host and the network',
  ENETUNREACH: 'the network is unreachable: check the host and the network',
  ECONNRESET: 'the server closed the connection during start-up: is that port Postgres? check the port and sslmode',
};

/** node-postgres's words for a server that hung up before the start-up finished (not Postgres, or a TLS mismatch). */
const closedDuringStartUp = /^Connection terminated unexpectedly/;

const tlsCodes = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/** Postgres error codes raised while connecting (SQLSTATE class 28 and 3D, 53300 too many connections). */
const serverProblems: Record<string, string> = {
  '3D000': 'create that database or fix its name in the URL',
  '28P01': 'fix the user name or password in the URL',
  '28000': 'fix the user name in the URL, or allow it in pg_hba.conf',
  '53300': 'the server has no free connection slot: raise max_connections or close idle clients',
  '57P03': 'the server is starting up or shutting down: try again shortly',
  // Migrations create the schema `drizzle` and the tables: a role without CREATE on the database cannot.
  '42501': 'this role may not create or read the store\'s schema (SQLSTATE 42501): run `migrate` once as a role that owns the database (later runs of a current store need no CREATE)',
};

// Printed text is redacted: a sample URL with a password in it would print as [Redacted], so the password is named apart.
const invalidUrlProblem = 'DATABASE_URL: not a valid URL: expected postgres://USER@HOST:5432/DATABASE (a password goes after the user name and a colon)';

export function describePostgresConnectionProblem(error: unknown, databaseUrl: string): string | undefined {
  const where = describeServer(databaseUrl);
  if (where === undefined) return invalidUrlProblem;
  // Opening runs a first query, which drizzle wraps in "Failed query: …": the cause says what went wrong.
  const cause = storeCause(error);
  const code = errorCode(cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  if (code && networkProblems[code]) return `DATABASE_URL (${where}): ${networkProblems[code]}`;
  if (code && tlsCodes.has(code)) return `DATABASE_URL (${where}): TLS failed (${code}): trust the server's CA with NODE_EXTRA_CA_CERTS, or fix sslmode in the URL`;
  if (code && serverProblems[code]) return `DATABASE_URL (${where}): ${message}: ${serverProblems[code]}`;
  if (closedDuringStartUp.test(message)) return `DATABASE_URL (${where}): ${networkProblems.ECONNRESET}`;
  if (/^SASL: .*password must be a string/.test(message)) return `DATABASE_URL (${where}): the server asks for a password and the URL has none`;
  if (/does not support SSL/.test(message)) return `DATABASE_URL (${where}): ${message}: ${tlsRemedy(databaseUrl)}`;
  if (code === 'ERR_INVALID_URL' || /Invalid URL/.test(message)) return invalidUrlProblem;
  return undefined;
}

/** Leaving sslmode out is a way only to a server on this machine: the configuration refuses it for another host. */
function tlsRemedy(databaseUrl: string): string {
  const local = databaseConnectionOf(databaseUrl, process.env)?.local ?? false;
  return local ? 'remove sslmode from the URL or enable TLS on the server' : 'enable TLS on the server (one on another host needs it)';
}

/** A store that was never created or migrated, refused by the commands that only read or decide: a typo looks like this. */
export function describeNoStore(location: { databaseUrl: string } | { dataDir: string }): string {
  const whatToCheck = 'dataDir' in location ? 'the path' : 'the database name';
  const where = 'dataDir' in location ? `DATA_DIR=${resolve(location.dataDir)}` : `DATABASE_URL (${describeServer(location.databaseUrl) ?? 'not a valid URL'})`;
  return `no store at ${where}: nothing has run against it yet; check ${whatToCheck}, or run \`sync\` or \`migrate\` first`;
}

/** A store folder that cannot be created or written is a DATA_DIR mistake. */
export function describeDataDirProblem(error: unknown, dataDir: string): string | undefined {
  const code = errorCode(error);
  const folder = (error as { path?: unknown } | null)?.path;
  const names = typeof folder === 'string' && folder !== dataDir ? ` (${folder})` : '';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `DATA_DIR ${dataDir}: not writable by this user${names} (${code}): mount a writable volume there or set DATA_DIR`;
  if (code === 'ENOTDIR' || code === 'EEXIST') return `DATA_DIR ${dataDir}: not a folder${names} (${code}): a file is in the way; set DATA_DIR to a folder`;
  // mkdir answers ENOENT where its parent exists but takes no new folders (a virtual or read-only file system, e.g. /proc).
  if (code === 'ENOENT' && typeof folder === 'string' && isSameOrAncestor(folder, dataDir)) {
    return `DATA_DIR ${dataDir}: cannot create ${folder} (${code}): its parent takes no new folders (a read-only or virtual file system); mount a writable volume there or set DATA_DIR`;
  }
  return undefined;
}

function isSameOrAncestor(folder: string, dataDir: string): boolean {
  return dataDir === folder || dataDir.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);
}

/**
 * Codes that mean a connection in use was cut: the server ended the session (57P01 admin shutdown, 57P02 crash, 57P03
 * cannot connect now), a connection exception (class 08), or the socket failed.
 */
const lostConnectionCodes = new Set(['57P01', '57P02', '57P03', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED']);
/** node-postgres's own words for a client whose socket closed under it. */
const lostConnectionMessages = /^(Connection terminated|Client has encountered a connection error|Client was closed)/;

/** Socket codes say nothing about whose socket it was: only the store's own errors carry them as a store loss. */
const socketCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED']);

/**
 * "lost the store connection: <cause>" when a query failed because its connection was cut (a Postgres restart, a
 * terminated session, a network cut), or undefined. Looks through drizzle's "Failed query: …" wrapper, whose own
 * message names only the statement (often the `rollback` that failed after the real loss).
 *
 * A socket code counts only on an error the store raised: the error itself (node-postgres's pool rejects with the
 * socket's error, unwrapped) or the cause of drizzle's wrapper. Under any other wrapper it is another edge's socket:
 * a SCIM request to Notion that was refused is not a lost store (it carries ECONNREFUSED too, under its ScimError).
 */
export function describeLostStoreConnection(error: unknown): string | undefined {
  let raisedByStore = true;
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    const code = errorCode(current);
    const lostSession = code !== undefined && !socketCodes.has(code) && (lostConnectionCodes.has(code) || code.startsWith('08'));
    const lostSocket = raisedByStore && code !== undefined && socketCodes.has(code);
    if (lostSession || lostSocket || lostConnectionMessages.test(current.message)) return `lost the store connection: ${current.message}`;
    raisedByStore = isDrizzleQueryError(current);
  }
  return undefined;
}

/** drizzle's "Failed query: …" wrapper names the statement; its cause is what the database said. */
function isDrizzleQueryError(error: unknown): error is DrizzleQueryError {
  return error instanceof DrizzleQueryError;
}

function storeCause(error: unknown): unknown {
  return isDrizzleQueryError(error) && error.cause !== undefined ? error.cause : error;
}

function describeServer(databaseUrl: string): string | undefined {
  try {
    const url = new URL(databaseUrl);
    const database = decodeURIComponent(url.pathname.slice(1)) || '(default database)';
    return `postgres at ${url.hostname || 'localhost'}:${url.port || '5432'}, database ${database}`;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  // Node's happy-eyeballs connect reports an AggregateError of one failure per address.
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) ? inner.map(errorCode).find(Boolean) : undefined;
}
