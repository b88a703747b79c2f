// Page 5, Escrow and quarantine: objects waiting for a retry with their next attempt, "retry now" for one or all, and
// "end quarantine" after a confirmation.
import { clearEscrowOf, listEscrowedObjects, markObjectsDirty, readTargetState, recordManualAction, updateTargetState } from '../../store/index.js';
import type { ConsoleApp, ConsoleContext } from '../context.js';
import { CsrfField, formatTime, Notice, objectHref, Page, Shown } from '../layout.js';

const maxListed = 5000;

export function registerEscrow(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get('/escrow', async (c) => {
    const [escrowed, state] = await Promise.all([listEscrowedObjects(ctx.store.db, ctx.target, maxListed), readTargetState(ctx.store.db, ctx.target)]);
    const csrfToken = c.get('session').csrfToken;
    const done = c.req.query('done');
    const n = c.req.query('n') ?? '0';
    return c.html(
      <Page title="Escrow and quarantine" session={c.get('session')} active="/escrow">
        <Notice text={done === 'retry' ? `${n} object(s) will be tried again in the next cycle.` : done === 'quarantine' ? 'Quarantine ended: the next cycle runs on schedule.' : undefined} />
        <h2>Quarantine</h2>
        {state?.quarantineReason ? (
          <p class="problem" id="quarantine">
            Quarantined since {formatTime(state.quarantineSince)}: <Shown text={state.quarantineReason} />. Next attempt {formatTime(state.quarantineNextAttemptAt) || 'at the next tick'}.{' '}
            <a href="/quarantine/end">End quarantine…</a>
          </p>
        ) : (
          <p class="muted" id="quarantine">Not quarantined.</p>
        )}
        <h2>Escrowed objects</h2>
        {escrowed.length === 0 ? (
          <p class="muted" id="no-escrow">No object waits for a retry.</p>
        ) : (
          <form method="post" action="/escrow/retry">
            <CsrfField token={csrfToken} />
            <table id="escrow-rows">
              <thead>
                <tr><th></th><th>Type</th><th>Name</th><th class="num">Attempts</th><th>Next attempt</th><th>Last error</th></tr>
              </thead>
              <tbody>
                {escrowed.map((e) => (
                  <tr>
                    <td><input type="checkbox" name="ids" value={`${e.objectType}:${e.sourceId}`} aria-label={`select ${e.name ?? e.sourceId}`} /></td>
                    <td>{e.objectType}</td>
                    <td><a href={objectHref(e.objectType, e.sourceId)}><Shown text={e.name ?? e.sourceId} /></a></td>
                    <td class="num">{e.attempts}</td>
                    <td>{formatTime(e.nextAttemptAt) || 'next cycle'}</td>
                    <td>{e.errorKind}: <Shown text={e.error} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="actions">
              <button type="submit" name="which" value="selected" class="primary">Retry selected now</button>
              <button type="submit" name="which" value="all">Retry all now</button>
            </div>
          </form>
        )}
      </Page>,
    );
  });

  app.post('/escrow/retry', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const escrowed = await listEscrowedObjects(ctx.store.db, ctx.target, maxListed);
    const wanted = new Set([form.ids ?? []].flat().map(String));
    const chosen = form.which === 'all' ? escrowed : escrowed.filter((e) => wanted.has(`${e.objectType}:${e.sourceId}`));
    const actor = c.get('session').actor;
    let n = 0;
    for (const e of chosen) {
      const objectType = e.objectType === 'group' ? 'group' : 'user';
      if (!(await clearEscrowOf(ctx.store.db, ctx.target, { objectType, sourceId: e.sourceId }))) continue;
      await markObjectsDirty(ctx.store.db, ctx.target, [{ objectType, sourceId: e.sourceId }]);
      n++;
      await recordManualAction(ctx.store.db, {
        target: ctx.target, actor, action: 'retry', objectType, sourceId: e.sourceId, displayName: e.name ?? null,
        reason: `retry now from the console after ${e.attempts} failed attempt(s) (${e.errorKind ?? 'error'})`,
      });
    }
    if (n > 0) ctx.requestCycle?.();
    return c.redirect(`/escrow?done=retry&n=${n}`, 303);
  });

  app.get('/quarantine/end', async (c) => {
    const state = await readTargetState(ctx.store.db, ctx.target);
    return c.html(
      <Page title="End quarantine" session={c.get('session')} active="/escrow">
        {state?.quarantineReason ? (
          <form method="post" action="/quarantine/end">
            <CsrfField token={c.get('session').csrfToken} />
            <p class="problem" id="confirm-text">
              The target is quarantined: <Shown text={state.quarantineReason} />. Ending the quarantine lets the next cycle write to Notion again. Fix the cause first.
            </p>
            <div class="actions">
              <label><input type="checkbox" name="confirm" value="yes" required /> The cause is fixed</label>
              <button type="submit" class="danger">End quarantine</button>
              <a href="/escrow">Cancel</a>
            </div>
          </form>
        ) : (
          <p class="muted">Not quarantined. <a href="/escrow">Back</a></p>
        )}
      </Page>,
    );
  });

  app.post('/quarantine/end', async (c) => {
    const form = await c.req.parseBody();
    if (form.confirm !== 'yes') return c.text('expected confirm=yes\n', 400);
    const state = await readTargetState(ctx.store.db, ctx.target);
    if (!state?.quarantineReason) return c.redirect('/escrow', 303);
    // The same fields `reset quarantine` clears.
    await updateTargetState(ctx.store.db, ctx.target, { quarantineReason: null, quarantineSince: null, quarantineNextAttemptAt: null, quarantineSeriesCount: 0 });
    await recordManualAction(ctx.store.db, {
      target: ctx.target, actor: c.get('session').actor, action: 'reset-quarantine', objectType: 'target', sourceId: ctx.target,
      reason: `quarantine ended in the console (was: ${state.quarantineReason})`,
    });
    ctx.requestCycle?.();
    return c.redirect('/escrow?done=quarantine', 303);
  });
}
