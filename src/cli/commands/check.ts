// `check`: tests the Graph and Notion connections, the Graph permissions and the assignment counts; nothing is written.
import type { Command } from 'commander';
import { createEntraSource, type GraphAccessReport } from '../../entra/index.js';
import { createScimClient } from '../../scim/index.js';
import { createCommandLogger, loadCommandConfig, runCommand, type GlobalOptions } from '../run-command.js';

interface CheckOptions {
  json?: boolean;
}

type NotionReport = { ok: true } | { ok: false; kind: string; message: string };

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('test the Graph and Notion connections: token, service principal, permissions, assignment counts')
    .option('--json', 'print as JSON')
    .action((options: CheckOptions) =>
      runCommand(async () => {
        const config = loadCommandConfig(program.opts<GlobalOptions>(), ['entra', 'notion']);
        const logger = createCommandLogger(config, { quiet: true });
        const graph = await createEntraSource({ config: config.entra, logger }).checkAccess();
        const scim = createScimClient({ baseUrl: config.notion.scimUrl, token: config.notion.token!, requestsPerSecond: config.notion.rateLimitRps, maxConcurrency: 1, logger });
        let notion: NotionReport;
        try {
          notion = await scim.checkConnection();
        } finally {
          await scim.close();
        }
        const ok = graph.ok && notion.ok;
        process.stdout.write(options.json ? `${JSON.stringify({ ok, graph, notion })}\n` : renderCheck(graph, notion, config.notion.scimUrl));
        return ok ? 0 : 1;
      }),
    );
}

function renderCheck(graph: GraphAccessReport, notion: NotionReport, scimUrl: string): string {
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  const lines = [
    'Microsoft Graph',
    `  ${mark(graph.token.acquired)} token acquired${graph.token.error ? `: ${graph.token.error}` : ''}`,
    `  ${mark(graph.servicePrincipal.found)} enterprise application${graph.servicePrincipal.found ? ` "${graph.servicePrincipal.displayName ?? ''}" (${graph.servicePrincipal.id})` : `: ${graph.servicePrincipal.error ?? 'not read'}`}`,
    `  ${mark(graph.token.acquired && graph.permissions.missing.length === 0)} permissions: ${graph.permissions.granted.join(', ') || 'none'}${graph.permissions.missing.length > 0 ? `; missing ${graph.permissions.missing.join(', ')} (grant the application permission and admin consent)` : ''}`,
  ];
  if (graph.assignments) {
    lines.push(
      `  ${mark(graph.assignments.error === undefined)} assignments: ${graph.assignments.users} users, ${graph.assignments.groups} groups${graph.assignments.error ? `: ${graph.assignments.error}` : ''}`,
    );
  }
  lines.push('Notion SCIM', `  ${mark(notion.ok)} ${scimUrl}${notion.ok ? ': token accepted, user filter answered' : `: ${notion.message}`}`);
  return `${lines.join('\n')}\n`;
}
