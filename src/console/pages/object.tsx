// Page 3, one user or group: link, last applied attributes, escrow, history; "provision now" (dry run, then apply).
import type { FC } from 'hono/jsx';
import type { LoadedConfig } from '../../config/index.js';
import { provisionOnDemand, type OnDemandReport } from '../../engine/index.js';
import { redactText } from '../../observe/index.js';
import { readLink, readSourceGroups, readSourceUsers, recordManualAction, searchLog, type LinkRow } from '../../store/index.js';
import type { ConsoleApp, ConsoleContext } from '../context.js';
import { CsrfField, formatTime, Notice, objectHref, Page, Shown, StatusBadge } from '../layout.js';
import { LogTable } from './log.js';

/** Provisioning on demand talks to Graph and Notion: it needs their credentials, which showing what happened does not. */
export function provisionUnavailableReason(config: LoadedConfig): string | undefined {
  const missing = [
    !config.entra.tenantId && 'ENTRA_TENANT_ID',
    !config.entra.clientId && 'ENTRA_CLIENT_ID',
    !config.entra.servicePrincipalId && 'ENTRA_SERVICE_PRINCIPAL_ID',
    !config.entra.clientSecret && !config.entra.certificatePath && !config.entra.federatedTokenFile && 'ENTRA_CLIENT_SECRET (or a certificate)',
    !config.notion.token && 'NOTION_SCIM_TOKEN',
  ].filter((m): m is string => Boolean(m));
  return missing.length > 0 ? `Provision now needs Graph and Notion credentials; not configured here: ${missing.join(', ')}.` : undefined;
}

export function registerObject(app: ConsoleApp, ctx: ConsoleContext): void {
  const objectPage = async (objectType: 'user' | 'group', sourceId: string, session: { actor: string; csrfToken: string }, extra?: { report?: OnDemandReport; applied?: boolean; problem?: string }) => {
    const db = ctx.store.db;
    const [link, source, history] = await Promise.all([
      readLink(db, ctx.target, objectType, sourceId),
      objectType === 'user' ? readSourceUsers(db, ctx.target, [sourceId]) : readSourceGroups(db, ctx.target, [sourceId]),
      searchLog(db, { target: ctx.target, object: sourceId, limit: 50 }),
    ]);
    const attributes = source[0]?.attributes ?? {};
    const name = String(link?.applied.userName ?? link?.applied.displayName ?? attributes.userPrincipalName ?? attributes.displayName ?? sourceId);
    return (
      <Page title={`${objectType === 'user' ? 'User' : 'Group'} ${name}`} session={session}>
        {extra?.problem ? <p class="problem">{extra.problem}</p> : null}
        <LinkTable link={link} sourceId={sourceId} removed={source[0]?.removedReason ?? null} />
        {link && link.attempts > 0 ? (
          <form method="post" action="/escrow/retry" class="actions">
            <CsrfField token={session.csrfToken} />
            <input type="hidden" name="ids" value={`${objectType}:${sourceId}`} />
            <button type="submit">Retry now</button>
          </form>
        ) : null}
        {objectType === 'user' ? <ProvisionSection ctx={ctx} sourceId={sourceId} csrfToken={session.csrfToken} report={extra?.report} applied={extra?.applied ?? false} /> : null}
        <h2>Last applied attributes</h2>
        <pre>
          <Shown text={JSON.stringify(link?.applied ?? {}, null, 2)} />
        </pre>
        <h2>History</h2>
        <LogTable rows={history.rows} />
        {history.nextCursor !== undefined ? <a href={`/log?object=${encodeURIComponent(sourceId)}&before=${history.nextCursor}`}>Older history in the log →</a> : null}
      </Page>
    );
  };

  app.get('/objects/:type/:id', async (c) => {
    const type = c.req.param('type');
    if (type !== 'user' && type !== 'group') return c.text('expected /objects/user/ID or /objects/group/ID\n', 404);
    return c.html(objectPage(type, c.req.param('id'), c.get('session')));
  });

  app.post('/objects/user/:id/provision', async (c) => {
    const sourceId = c.req.param('id');
    const session = c.get('session');
    const form = await c.req.parseBody();
    const unavailable = provisionUnavailableReason(ctx.config);
    if (unavailable) return c.html(objectPage('user', sourceId, session, { problem: unavailable }), 409);
    const apply = form.mode === 'apply';
    if (apply && form.confirm !== 'yes') return c.html(objectPage('user', sourceId, session, { problem: 'Tick the confirmation box to apply.' }), 400);
    let report: OnDemandReport;
    try {
      report = await provisionOnDemand({ config: ctx.config, store: ctx.store, logger: ctx.logger }, sourceId, { dryRun: !apply });
    } catch (error) {
      // Graph or Notion unreachable, a refused token: say so on the page (redacted), as `provision` prints it.
      return c.html(objectPage('user', sourceId, session, { problem: `Provision now failed: ${redactText(error instanceof Error ? error.message : String(error))}` }), 502);
    }
    if (apply) {
      const status = report.result?.summary.status ?? 'not found';
      await recordManualAction(ctx.store.db, {
        target: ctx.target, actor: session.actor, action: 'provision', objectType: 'user', sourceId,
        notionId: report.match?.notionId ?? null, reason: `provision now from the console: ${status}`,
        status: status === 'succeeded' ? 'success' : 'failure',
      });
    }
    return c.html(objectPage('user', sourceId, session, { report, applied: apply }));
  });
}

const LinkTable: FC<{ link: LinkRow | undefined; sourceId: string; removed: string | null }> = ({ link, sourceId, removed }) => (
  <table>
    <tbody>
      <tr><th>Entra id</th><td class="mono">{sourceId}{removed ? ` (removed in Entra: ${removed})` : ''}</td></tr>
      <tr><th>Notion id</th><td class="mono">{link?.notionId ?? 'not linked'}</td></tr>
      <tr><th>State</th><td>{link ? <StatusBadge status={link.state} /> : 'no link'}</td></tr>
      <tr><th>Staged deletion</th><td>{link?.stagedAction ? `${link.stagedAction} since ${formatTime(link.stagedAt)}` : 'none'}</td></tr>
      <tr>
        <th>Escrow</th>
        <td>
          {link && link.attempts > 0 ? (
            <>
              {link.attempts} failed attempt(s); next attempt {formatTime(link.nextAttemptAt) || 'next cycle'}; {link.lastErrorKind}: <Shown text={link.lastError} />
            </>
          ) : (
            'not escrowed'
          )}
        </td>
      </tr>
      <tr><th>Last change</th><td>{formatTime(link?.updatedAt)}</td></tr>
    </tbody>
  </table>
);

const ProvisionSection: FC<{ ctx: ConsoleContext; sourceId: string; csrfToken: string; report: OnDemandReport | undefined; applied: boolean }> = ({ ctx, sourceId, csrfToken, report, applied }) => {
  const unavailable = provisionUnavailableReason(ctx.config);
  const action = `${objectHref('user', sourceId)}/provision`;
  return (
    <>
      <h2>Provision now</h2>
      {unavailable ? (
        <p class="muted" id="provision-unavailable">{unavailable}</p>
      ) : (
        <>
          {report ? <ProvisionSteps report={report} /> : null}
          {report && applied ? <Notice text="Applied: the steps above ran against Notion and are in the log." /> : null}
          {report && !applied && report.import.found ? (
            <form method="post" action={action} class="actions">
              <CsrfField token={csrfToken} />
              <input type="hidden" name="mode" value="apply" />
              <label>
                <input type="checkbox" name="confirm" value="yes" required /> Apply this to Notion now
              </label>
              <button type="submit" class="danger">Apply</button>
            </form>
          ) : (
            <form method="post" action={action} class="actions">
              <CsrfField token={csrfToken} />
              <input type="hidden" name="mode" value="dry-run" />
              <button type="submit" class="primary">Dry run</button>
            </form>
          )}
        </>
      )}
    </>
  );
};

const verdict = (passed: boolean) => (passed ? 'pass' : 'FAIL');

/** The steps as `provision` prints them: import, scope, match, action. */
const ProvisionSteps: FC<{ report: OnDemandReport }> = ({ report }) => {
  const scope = report.scope;
  return (
    <ol id="provision-steps">
      <li>Import user: {report.import.found ? `found ${report.import.userId}${report.import.removed ? ` (removed in Entra: ${report.import.removed})` : ''}` : 'not found in Entra'}</li>
      {scope ? (
        <>
          <li>
            Determine scope: {scope.inScope ? 'in scope' : 'not in scope'}
            <ul>
              <li>Assigned to the app: {verdict(scope.assigned)}</li>
              <li>Active in Entra (accountEnabled={String(scope.accountEnabled)}): {verdict(scope.accountEnabled !== false)}</li>
              {scope.scopingFilters.map((f) => (
                <li>Scoping filter {f.name ?? ''}: {verdict(f.passed)}</li>
              ))}
            </ul>
          </li>
          <li>Match: {report.match?.linked ? `linked to Notion user ${report.match.notionId ?? '?'} (${report.match.state})` : (report.match?.lookup ?? 'not linked yet')}</li>
          <li>
            Perform action:
            <ul>
              {scope.attributes.map((a) => (
                <li class="mono">
                  {a.target} = <Shown text={a.outcome === 'value' || a.outcome === 'default' ? JSON.stringify(a.result) : `(${a.outcome})`} />
                </li>
              ))}
            </ul>
            {report.failure ? (
              <ul>
                <li>
                  {report.failure.action} failed: <Shown text={report.failure.reason} /> Nothing was sent.
                </li>
              </ul>
            ) : report.result ? (
              <ul>
                {report.result.log.length === 0 ? <li>Nothing to do ({report.result.summary.status}).</li> : null}
                {report.result.log.map((e) => (
                  <li>
                    {e.action} <StatusBadge status={e.status} /> <Shown text={e.reason} /> <Shown text={e.errorMessage} />
                  </li>
                ))}
              </ul>
            ) : (
              <ul>
                {report.plan.length === 0 ? <li>Nothing would change.</li> : null}
                {report.plan.map((op) => (
                  <li>
                    would {op.kind}: <Shown text={op.reason} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        </>
      ) : null}
    </ol>
  );
};
