// Page 2, Provisioning log: search by object, action, status, cycle and time; keyset paging; CSV and JSON export.
import type { FC } from 'hono/jsx';
import { searchLog, searchLogAll, type ProvisioningLogRow } from '../../store/index.js';
import type { ConsoleApp, ConsoleContext } from '../context.js';
import { csvHeader, csvLine, exportedRow } from '../log-export.js';
import { logActions, logFilterQuery, logStatuses, readLogFilter, toLogSearch, type LogFilter } from '../log-filter.js';
import { formatTime, objectHref, Page, Shown, StatusBadge } from '../layout.js';

const pageSize = 50;

export function registerLog(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get('/log', async (c) => {
    const filter = readLogFilter((name) => c.req.query(name));
    const before = Number(c.req.query('before'));
    const page = await searchLog(ctx.store.db, { ...toLogSearch(ctx.target, filter), limit: pageSize, ...(Number.isSafeInteger(before) && before > 0 ? { before } : {}) });
    return c.html(
      <Page title="Provisioning log" session={c.get('session')} active="/log">
        <LogFilterForm filter={filter} />
        <p class="actions">
          <a href={`/log/export.csv${logFilterQuery(filter)}`} id="export-csv">Export CSV</a>
          <a href={`/log/export.json${logFilterQuery(filter)}`} id="export-json">Export JSON</a>
        </p>
        <LogTable rows={page.rows} />
        <p class="actions">
          {c.req.query('before') ? <a href={`/log${logFilterQuery(filter)}`}>Newest</a> : null}
          {page.nextCursor !== undefined ? (
            <a href={`/log${logFilterQuery(filter, { before: String(page.nextCursor) })}`} id="older">
              Older →
            </a>
          ) : null}
        </p>
      </Page>,
    );
  });

  app.get('/log/export.csv', (c) => {
    const rows = searchLogAll(ctx.store.db, toLogSearch(ctx.target, readLogFilter((name) => c.req.query(name))));
    return c.body(textStream(csvHeader, rows, (row) => csvLine(row), ''), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="provisioning-log.csv"',
    });
  });

  app.get('/log/export.json', (c) => {
    const rows = searchLogAll(ctx.store.db, toLogSearch(ctx.target, readLogFilter((name) => c.req.query(name))));
    let first = true;
    const line = (row: ProvisioningLogRow) => {
      const text = `${first ? '' : ',\n'}${JSON.stringify(exportedRow(row))}`;
      first = false;
      return text;
    };
    return c.body(textStream('[\n', rows, line, '\n]\n'), 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': 'attachment; filename="provisioning-log.json"',
    });
  });
}

/** Streams the rows as they are read page by page, so an export of many rows never sits in memory at once. */
function textStream(head: string, rows: AsyncGenerator<ProvisioningLogRow>, line: (row: ProvisioningLogRow) => string, tail: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start: (controller) => controller.enqueue(encoder.encode(head)),
    pull: async (controller) => {
      const next = await rows.next();
      if (next.done) {
        controller.enqueue(encoder.encode(tail));
        controller.close();
      } else controller.enqueue(encoder.encode(line(next.value)));
    },
    cancel: async () => void (await rows.return(undefined)),
  });
}

const LogFilterForm: FC<{ filter: LogFilter }> = ({ filter }) => (
  <form method="get" action="/log" class="filters">
    <label>
      User or group (name, UPN, Entra or Notion id)
      <input name="object" value={filter.object} size={36} />
    </label>
    <label>
      Action
      <select name="action">
        <option value="">any</option>
        {logActions.map((a) => (
          <option value={a} selected={filter.action === a}>
            {a}
          </option>
        ))}
      </select>
    </label>
    <label>
      Status
      <select name="status">
        <option value="">any</option>
        {logStatuses.map((s) => (
          <option value={s} selected={filter.status === s}>
            {s}
          </option>
        ))}
      </select>
    </label>
    <label>
      Cycle id
      <input name="cycle" value={filter.cycle} size={12} />
    </label>
    <label>
      From (UTC)
      <input type="datetime-local" name="from" value={filter.from} />
    </label>
    <label>
      To (UTC)
      <input type="datetime-local" name="to" value={filter.to} />
    </label>
    <button type="submit" class="primary">Search</button>
    <a href="/log">Clear</a>
  </form>
);

export const LogTable: FC<{ rows: ProvisioningLogRow[] }> = ({ rows }) =>
  rows.length === 0 ? (
    <p class="muted" id="no-rows">No log rows match.</p>
  ) : (
    <table id="log-rows">
      <thead>
        <tr>
          <th>Time</th>
          <th>Object</th>
          <th>Action</th>
          <th>Status</th>
          <th>Reason</th>
          <th>Modified (old → new)</th>
          <th>Error</th>
          <th>By</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            <td class="mono">
              {formatTime(row.at)}
              {row.cycleId ? (
                <>
                  <br />
                  <a href={`/cycles/${row.cycleId}`}>{row.cycleId.slice(0, 8)}</a>
                </>
              ) : null}
            </td>
            <td>
              {row.objectType === 'target' ? (
                <span>{row.sourceId}</span>
              ) : (
                <a href={objectHref(row.objectType, row.sourceId)}>
                  <Shown text={row.displayName ?? row.sourceId} />
                </a>
              )}
              <br />
              <span class="muted">{row.objectType}</span>
            </td>
            <td>{row.action}</td>
            <td>
              <StatusBadge status={row.status} />
            </td>
            <td>
              <Shown text={row.reason} />
            </td>
            <td class="mono">
              {(row.modified ?? []).map((m) => (
                <div>
                  {m.path}: <Shown text={JSON.stringify(m.old) ?? ''} /> → <Shown text={JSON.stringify(m.new) ?? ''} />
                </div>
              ))}
            </td>
            <td>
              {row.errorKind ? <strong>{row.errorKind}: </strong> : null}
              <Shown text={row.errorMessage} />
            </td>
            <td>{row.actor ?? <span class="muted">cycle</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
