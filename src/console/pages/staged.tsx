// Page 4, Staged deletions: the list with reasons; approve or reject all or a selection after a confirmation that names
// how many users will lose access. The confirmation lists the exact ids, so the decision covers what the admin saw.
import type { FC } from 'hono/jsx';
import { decideStagedDeletes } from '../../engine/index.js';
import { listStagedDeletes, searchLog, type StagedDelete } from '../../store/index.js';
import type { ConsoleApp, ConsoleContext } from '../context.js';
import { CsrfField, formatTime, Notice, objectHref, Page, Shown } from '../layout.js';

const maxListed = 5000;
const isApproved = (s: StagedDelete) => s.action.startsWith('approved:');

export function registerStaged(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get('/staged', async (c) => {
    const staged = await listStagedDeletes(ctx.store.db, ctx.target, maxListed);
    const reasons = await stagedReasons(ctx, staged);
    const done = c.req.query('done');
    const n = c.req.query('n') ?? '0';
    return c.html(
      <Page title="Staged deletions" session={c.get('session')} active="/staged">
        <Notice text={done === 'approve' ? `Approved ${n} staged deletion(s); the next cycle applies them.` : done === 'reject' ? `Rejected ${n} staged deletion(s); those objects stay as they are in Notion and are no longer managed.` : undefined} />
        {staged.length === 0 ? (
          <p class="muted" id="no-staged">No deletions are staged.</p>
        ) : (
          <form method="get" action="/staged/confirm">
            <table id="staged-rows">
              <thead>
                <tr><th></th><th>Type</th><th>Name</th><th>Action</th><th>Staged at</th><th>Reason</th></tr>
              </thead>
              <tbody>
                {staged.map((s) => (
                  <tr>
                    <td>{isApproved(s) ? null : <input type="checkbox" name="ids" value={s.sourceId} aria-label={`select ${s.name ?? s.sourceId}`} />}</td>
                    <td>{s.objectType}</td>
                    <td><a href={objectHref(s.objectType, s.sourceId)}><Shown text={s.name ?? s.sourceId} /></a></td>
                    <td>{isApproved(s) ? `${s.action.slice('approved:'.length)} (approved, applies next cycle)` : s.action}</td>
                    <td>{formatTime(s.stagedAt)}</td>
                    <td><Shown text={reasons.get(s.sourceId)} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="actions">
              <button type="submit" name="decision" value="approve-selected">Approve selected…</button>
              <button type="submit" name="decision" value="reject-selected">Reject selected…</button>
              <button type="submit" name="decision" value="approve-all" class="danger">Approve all…</button>
              <button type="submit" name="decision" value="reject-all">Reject all…</button>
            </div>
          </form>
        )}
      </Page>,
    );
  });

  app.get('/staged/confirm', async (c) => {
    const decision = c.req.query('decision') ?? '';
    const [verb, which] = decision.split('-');
    if ((verb !== 'approve' && verb !== 'reject') || (which !== 'all' && which !== 'selected')) return c.redirect('/staged', 303);
    const wanted = new Set(c.req.queries('ids') ?? []);
    const chosen = (await listStagedDeletes(ctx.store.db, ctx.target, maxListed)).filter((s) => !isApproved(s) && (which === 'all' || wanted.has(s.sourceId)));
    return c.html(
      <Page title={verb === 'approve' ? 'Approve staged deletions' : 'Reject staged deletions'} session={c.get('session')} active="/staged">
        {chosen.length === 0 ? (
          <p class="problem">Nothing selected. <a href="/staged">Back to the list</a></p>
        ) : (
          <ConfirmDecision verb={verb} chosen={chosen} csrfToken={c.get('session').csrfToken} />
        )}
      </Page>,
    );
  });

  app.post('/staged/decide', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const verb = form.decision === 'approve' ? 'approve' : form.decision === 'reject' ? 'reject' : undefined;
    const ids = [form.ids ?? []].flat().map(String).filter(Boolean);
    if (!verb || ids.length === 0 || form.confirm !== 'yes') return c.text('expected decision=approve|reject, ids and confirm=yes\n', 400);
    // The decision and its log rows in one transaction, as `approve`'s; an id no longer staged (decided meanwhile) is
    // left out of both.
    const n = await decideStagedDeletes(ctx.store.db, ctx.target, { ids, reject: verb === 'reject', actor: c.get('session').actor, notStaged: 'leave out', where: 'in the console' });
    if (verb === 'approve') ctx.requestCycle?.();
    return c.redirect(`/staged?done=${verb}&n=${n}`, 303);
  });
}

const ConfirmDecision: FC<{ verb: 'approve' | 'reject'; chosen: StagedDelete[]; csrfToken: string }> = ({ verb, chosen, csrfToken }) => {
  const users = chosen.filter((s) => s.objectType === 'user').length;
  const groups = chosen.length - users;
  return (
    <form method="post" action="/staged/decide">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="decision" value={verb} />
      {chosen.map((s) => (
        <input type="hidden" name="ids" value={s.sourceId} />
      ))}
      <p class="problem" id="confirm-text">
        {verb === 'approve'
          ? `Approve ${chosen.length} staged deletion(s): ${users} user(s) will lose access to Notion${groups > 0 ? ` and ${groups} group(s) will be removed` : ''} in the next cycle.`
          : `Reject ${chosen.length} staged deletion(s): ${users} user(s) and ${groups} group(s) keep their access and are no longer managed by this tool.`}
      </p>
      <ul>
        {chosen.map((s) => (
          <li>{s.objectType} <Shown text={s.name ?? s.sourceId} />: {s.action}</li>
        ))}
      </ul>
      <div class="actions">
        <label>
          <input type="checkbox" name="confirm" value="yes" required /> I understand
        </label>
        <button type="submit" class={verb === 'approve' ? 'danger' : 'primary'}>{verb === 'approve' ? 'Approve' : 'Reject'}</button>
        <a href="/staged">Cancel</a>
      </div>
    </form>
  );
};

/** Why each was staged: the reason of its latest `staged-delete` log row. */
async function stagedReasons(ctx: ConsoleContext, staged: StagedDelete[]): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  for (const s of staged.slice(0, 200)) {
    const page = await searchLog(ctx.store.db, { target: ctx.target, object: s.sourceId, action: 'staged-delete', limit: 1 });
    const reason = page.rows[0]?.reason;
    if (reason) reasons.set(s.sourceId, reason);
  }
  return reasons;
}
