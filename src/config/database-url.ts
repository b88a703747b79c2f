// DATABASE_URL's rule, the endpoints' rule (urls.ts) for the store: TLS unless the server is this machine (loopback or
// a Unix socket). The URL is read as node-postgres 8 reads it (pg-connection-string's parse, then pg's
// ConnectionParameters), so that what is accepted here is what pg encrypts (test/unit/config/database-url.test.ts).
import { isLoopbackHost } from './urls.js';

/** How node-postgres will connect for a URL: the host (or socket folder) and whether it starts with TLS. */
export interface DatabaseConnection {
  host: string;
  port: string;
  database: string;
  /** A Unix socket (a host that is a folder) or a loopback address: the traffic never leaves this machine. */
  local: boolean;
  tls: boolean;
  /** The sslmode that applies: the URL's, or PGSSLMODE when the URL says nothing about TLS. */
  sslmode?: string;
}

/** libpq's modes that let a connection run in clear text; node-postgres 9 adopts libpq's meaning (pg's own warning). */
const clearTextModes: Record<string, string> = {
  disable: 'turns TLS off',
  allow: 'tries clear text first',
  prefer: 'falls back to clear text',
};

/** What node-postgres reads from a URL, or undefined for text it cannot parse (the store then says so). */
export function databaseConnectionOf(databaseUrl: string, env: NodeJS.ProcessEnv): DatabaseConnection | undefined {
  const parsed = parseLikePg(databaseUrl);
  if (!parsed) return undefined;
  const { url, emptyHost } = parsed;
  // Each parameter once, the last one given winning, as pg copies them in order.
  const params = new Map(url.searchParams.entries());
  let host: string;
  try {
    host = params.get('host') || decodeURIComponent((emptyHost ? '' : url.hostname).replace(/^\[(.+)\]$/, '$1'));
  } catch {
    return undefined;
  }
  host = host || env.PGHOST || 'localhost';

  let ssl: unknown = params.get('ssl');
  if (ssl === 'true' || ssl === '1') ssl = true;
  if (ssl === '0') ssl = false;
  const urlMode = params.get('sslmode');
  if (params.get('sslcert') || params.get('sslkey') || params.get('sslrootcert') || urlMode) ssl = {};
  if (params.get('sslnegotiation') === 'direct' && ssl === undefined) ssl = true;
  if (urlMode === 'disable') ssl = false;
  const sslmode = urlMode || (ssl === undefined ? env.PGSSLMODE : undefined);
  // Nothing in the URL: PGSSLMODE, read as pg reads it.
  if (ssl === undefined) ssl = ['prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'].includes(env.PGSSLMODE ?? '');
  // Any other value pg keeps as text, and a non-empty text is "on" for it (ssl=false starts TLS).

  return {
    host,
    port: params.get('port') || url.port || env.PGPORT || '5432',
    database: safeDecode(url.pathname.slice(1)) || '(default database)',
    local: host.startsWith('/') || isLoopbackHost(host.toLowerCase()),
    tls: Boolean(ssl),
    ...(sslmode ? { sslmode } : {}),
  };
}

/**
 * The problem with a DATABASE_URL whose traffic would cross a network in clear text, or undefined. Names the server,
 * never the URL (it may hold a password).
 */
export function databaseUrlProblem(databaseUrl: string, env: NodeJS.ProcessEnv): string | undefined {
  const connection = databaseConnectionOf(databaseUrl, env);
  if (!connection || connection.local) return undefined;
  const where = `DATABASE_URL (postgres at ${connection.host}:${connection.port}, database ${connection.database})`;
  const mode = connection.sslmode;
  if (mode && clearTextModes[mode]) return `${where}: sslmode=${mode} ${clearTextModes[mode]}, and the server is not this machine: use sslmode=verify-full`;
  if (!connection.tls) return `${where}: no TLS to a server that is not this machine (the directory and the SCIM links would cross the network in clear): add sslmode=verify-full to the URL`;
  return undefined;
}

/** pg-connection-string's parse: spaces and stray % encoded first; an empty host (`user@/db`) read with a stand-in. */
function parseLikePg(text: string): { url: URL; emptyHost: boolean } | undefined {
  const encoded = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(text) ? encodeURI(text).replace(/%25(\d\d)/g, '%$1') : text;
  try {
    return { url: new URL(encoded, 'postgres://base'), emptyHost: false };
  } catch {
    try {
      return { url: new URL(encoded.replace('@/', '@___DUMMY___/'), 'postgres://base'), emptyHost: true };
    } catch {
      return undefined;
    }
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
