// createEntraSource: the Entra side of a cycle behind one interface (tokens, Graph reader, import, check).
import type { Config } from '../config/index.js';
import type { Logger } from '../observe/index.js';
import type { Database } from '../store/index.js';
import { checkGraphAccess, type GraphAccessReport } from './access-check.js';
import { readServicePrincipal } from './assignments.js';
import { createTokenProvider, credentialFromConfig, type TokenProvider } from './credentials.js';
import { createGraphReader, type GraphReader } from './graph-reader.js';
import { importIntoMirror, type ImportOptions, type ImportResult } from './import.js';
import { importOneGroup, type OneGroupImport } from './one-group.js';
import { importOneUser } from './one-user.js';
import { createOutboundDispatcher } from './outbound-http.js';
import { pollForChanges, type PollOptions, type PollResult } from './poll.js';

export interface EntraSource {
  /** Step 2 of the cycle: assignments, groups delta, users delta into the mirror. Never throws for a Graph
   *  read failure: it returns complete=false (fail closed) with the reason, leaving earlier truth standing. */
  importIntoMirror(db: Database, target: string, options: ImportOptions): Promise<ImportResult>;
  /** On-demand: read one user by id or userPrincipalName (and its memberships/assignments) into the mirror. */
  importOneUser(db: Database, target: string, idOrUpn: string, options: ImportOptions): Promise<{ found: boolean; userId?: string }>;
  /** On-demand: read one group by id or displayName, its members and up to `maxMembers` of its in-scope users into the mirror. */
  importOneGroup(db: Database, target: string, idOrName: string, options: ImportOptions, maxMembers: number): Promise<OneGroupImport>;
  /** For `check`: token acquired, service principal found, permissions present (from the token's roles claim), assignment counts. */
  checkAccess(options?: { notifications?: boolean }): Promise<GraphAccessReport>;
  stats(): { requests: number; throttled: number };
  /** Watch mode: whether anything a cycle would import changed, reading the delta links without writing the mirror. */
  pollForChanges(db: Database, target: string, options: PollOptions): Promise<PollResult>;
}

export function createEntraSource(options: { config: Config['entra']; logger: Logger; signal?: AbortSignal }): EntraSource {
  const { config, logger } = options;
  const credential = credentialFromConfig(config);
  // One dispatcher for the token endpoint and Graph: HTTPS_PROXY / NO_PROXY apply to both.
  const dispatcher = createOutboundDispatcher();
  // MSAL reads the certificate file when the client is built: once, on first use.
  let tokensPromise: Promise<TokenProvider> | undefined;
  const tokens: TokenProvider = {
    getAccessToken: async () => (await (tokensPromise ??= createTokenProvider(config, credential, dispatcher))).getAccessToken(),
  };
  const graph: GraphReader = createGraphReader({ graphBaseUrl: config.graphBaseUrl, tokens, dispatcher, signal: options.signal });
  let servicePrincipal: Promise<string> | undefined;
  const servicePrincipalId = (): Promise<string> => {
    servicePrincipal ??= readServicePrincipal(graph, ids).then((principal) => principal.id);
    servicePrincipal.catch(() => (servicePrincipal = undefined));
    return servicePrincipal;
  };
  const ids = { servicePrincipalId: config.servicePrincipalId, clientId: config.clientId };
  const deps = { graph, logger, servicePrincipalId };
  return {
    importIntoMirror: (db, target, importOptions) => importIntoMirror(deps, db, target, importOptions),
    importOneUser: (db, target, idOrUpn, importOptions) => importOneUser(deps, db, target, idOrUpn, importOptions),
    importOneGroup: (db, target, idOrName, importOptions, maxMembers) => importOneGroup(deps, db, target, idOrName, importOptions, maxMembers),
    checkAccess: (checkOptions) => checkGraphAccess(tokens, graph, ids, checkOptions),
    stats: () => graph.counts(),
    pollForChanges: (db, target, pollOptions) => pollForChanges(deps, db, target, pollOptions),
  };
}
