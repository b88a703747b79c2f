// Page 6, Cycles: the history table, and one cycle's summary, counts and log rows.
import { listRecentCycles, readCycle, searchLog } from '../../store/index.js';
import type { ConsoleApp, ConsoleContext } from '../context.js';
import { formatDuration, formatTime, Page, Shown, StatusBadge } from '../layout.js';
import { LogTable } from './log.js';

const durationOf = (c: { startedAt: Date; finishedAt: Date | null }) => (c.finishedAt ? c.finishedAt.getTime() - c.startedAt.getTime() : null);
const changes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');

export function registerCycles(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get('/cycles', async (c) => {
    const cycles = await listRecentCycles(ctx.store.db, ctx.target, 200);
    return c.html(
      <Page title="Cycles" session={c.get('session')} active="/cycles" refreshSeconds={cycles[0]?.status === 'running' ? 5 : undefined}>
        <table id="cycle-rows">
          <thead>
            <tr><th>Started</th><th>Kind</th><th>Status</th><th class="num">Duration</th><th>Changes</th><th>Error</th></tr>
          </thead>
          <tbody>
            {cycles.map((cycle) => (
              <tr>
                <td class="mono"><a href={`/cycles/${cycle.id}`}>{formatTime(cycle.startedAt)}</a></td>
                <td>{cycle.kind}{cycle.dryRun ? ' (dry run)' : ''}</td>
                <td><StatusBadge status={cycle.status} /></td>
                <td class="num">{formatDuration(durationOf(cycle))}</td>
                <td class="mono">{changes(cycle.counts) || 'none'}</td>
                <td><Shown text={cycle.error} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </Page>,
    );
  });

  app.get('/cycles/:id', async (c) => {
    const cycle = await readCycle(ctx.store.db, ctx.target, c.req.param('id'));
    if (!cycle) return c.text('no such cycle\n', 404);
    const before = Number(c.req.query('before'));
    const log = await searchLog(ctx.store.db, { target: ctx.target, cycleId: cycle.id, limit: 100, ...(Number.isSafeInteger(before) && before > 0 ? { before } : {}) });
    return c.html(
      <Page title={`Cycle ${cycle.id.slice(0, 8)}`} session={c.get('session')} active="/cycles" refreshSeconds={cycle.status === 'running' ? 5 : undefined}>
        <table>
          <tbody>
            <tr><th>Id</th><td class="mono">{cycle.id}</td></tr>
            <tr><th>Kind</th><td>{cycle.kind}{cycle.dryRun ? ' (dry run)' : ''}</td></tr>
            <tr><th>Status</th><td><StatusBadge status={cycle.status} /></td></tr>
            <tr><th>Started</th><td>{formatTime(cycle.startedAt)}</td></tr>
            <tr><th>Finished</th><td>{formatTime(cycle.finishedAt) || 'running'}</td></tr>
            <tr><th>Duration</th><td>{formatDuration(durationOf(cycle))}</td></tr>
            <tr><th>Import complete</th><td>{cycle.importComplete === null ? '' : cycle.importComplete ? 'yes' : 'no'}</td></tr>
            <tr><th>Error</th><td><Shown text={cycle.error} /></td></tr>
          </tbody>
        </table>
        <h2>Counts</h2>
        <table id="cycle-counts">
          <thead><tr><th>Action.status</th><th class="num">Count</th></tr></thead>
          <tbody>
            {Object.entries(cycle.counts).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => (
              <tr><td class="mono">{k}</td><td class="num">{n}</td></tr>
            ))}
          </tbody>
        </table>
        <h2>Log rows</h2>
        <LogTable rows={log.rows} />
        {log.nextCursor !== undefined ? <a href={`/cycles/${cycle.id}?before=${log.nextCursor}`}>More →</a> : null}
      </Page>,
    );
  });
}
