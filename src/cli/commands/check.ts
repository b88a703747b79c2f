// `check`: the attribute mapping compiles; the Graph sign-in, service principal, permissions and assignment counts;
// the Notion token and the workspace owners, with a suggested PROTECTED_USERS line. Nothing is written.
import type { Command } from 'commander';
import { createEntraSource, EntraConfigError } from '../../entra/index.js';
import { compileMapping, MappingConfigError } from '../../mapping/index.js';
import { createScimClient, notionUserExtensionUrn, ScimError, type ScimUser } from '../../scim/index.js';
import { renderCheck, type CheckReport, type MappingReport, type NotionReport } from './check-report.js';
import { CommandError, createCommandLogger, exitCodes, loadCommandConfig, runCommand, type GlobalOptions } from '../run-command.js';

interface CheckOptions {
  json?: boolean;
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('test the mapping, the Graph and Notion connections (sign-in, permissions, assignments, workspace owners); writes nothing')
    .option('--json', 'print as JSON')
    .action((options: CheckOptions) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config, { quiet: true });
        const mapping = checkMapping(config.mapping);
        let source;
        try {
          source = createEntraSource({ config: config.entra, logger });
        } catch (error) {
          if (error instanceof EntraConfigError) throw new CommandError(error.message, exitCodes.config);
          throw error;
        }
        // With NOTIFICATION_URL the worker also subscribes to groups, which needs Group.Read.All.
        const graph = await source.checkAccess({ notifications: config.notifications.url !== undefined });
        const notion = await checkNotion(config.notion.scimUrl, config.notion.token!, config.notion.rateLimitRps, logger);
        const protectedUsers = config.provisioning.protectedUsers;
        const report: CheckReport = {
          ok: mapping.ok && graph.ok && notion.ok, mapping, graph, notion,
          protectedUsers: { configured: protectedUsers, suggested: suggestProtectedUsers(protectedUsers, notion.owners ?? []) },
        };
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : renderCheck(report, config.notion.scimUrl));
        // A mapping that does not compile is a configuration mistake (exit 2); other failures exit 1.
        return report.ok ? exitCodes.ok : mapping.ok ? exitCodes.failure : exitCodes.config;
      }),
    );
}

function checkMapping(mapping: Parameters<typeof compileMapping>[0]): MappingReport {
  try {
    const compiled = compileMapping(mapping);
    return { ok: true, sourceAttributes: compiled.sourceAttributes };
  } catch (error) {
    if (!(error instanceof MappingConfigError)) throw error;
    return { ok: false, problems: error.problems.map((problem) => `${problem.path}: ${problem.message}`) };
  }
}

/** The token is proven by a filter that finds nobody; the owners come from the Notion role extension.
 *  Per reference notion-scim.md §2.2, `role` is owner, membership_admin, member or restricted_member; per
 *  reference notion-scim.md §3.3, the token's creator is a workspace owner and cannot be removed, and removing
 *  any owner revokes the tokens they made. */
async function checkNotion(scimUrl: string, token: string, requestsPerSecond: number | 'auto', logger: Parameters<typeof createScimClient>[0]['logger']): Promise<NotionReport> {
  const scim = createScimClient({ baseUrl: scimUrl, token, requestsPerSecond, maxConcurrency: 1, logger });
  try {
    const connection = await scim.checkConnection();
    if (!connection.ok) return { ok: false, message: connection.message };
    try {
      // Only the owners are kept (once each, by id); the walk's completeness is not reported, so no ids are kept to
      // tell a repeated member: every one counts as new.
      const owners = new Map<string, string>();
      await scim.walkUsers((page) => {
        for (const user of page) if (isActiveOwner(user) && !owners.has(user.id)) owners.set(user.id, user.userName);
        return page.length;
      });
      return { ok: true, owners: [...owners.values()].sort() };
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      return { ok: true, ownersError: error.message };
    }
  } finally {
    await scim.close();
  }
}

function isActiveOwner(user: ScimUser): boolean {
  const extension = user[notionUserExtensionUrn];
  const role = typeof extension === 'object' && extension !== null ? (extension as { role?: unknown }).role : undefined;
  return role === 'owner' && user.active !== false;
}

/** The configured names plus every owner not yet among them (case-insensitive), as one PROTECTED_USERS line. */
function suggestProtectedUsers(configured: string[], owners: string[]): string | null {
  const known = new Set(configured.map((name) => name.toLowerCase()));
  const missing = owners.filter((owner) => !known.has(owner.toLowerCase()));
  return missing.length === 0 ? null : `PROTECTED_USERS=${[...configured, ...missing].join(',')}`;
}
