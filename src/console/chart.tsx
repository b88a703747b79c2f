// The overview's chart of recent cycles, drawn on the server as inline SVG: changes by kind stacked per cycle, failures
// on top in red, and the duration as a line on its own scale. Pure: cycles in, markup out.
import type { FC } from 'hono/jsx';
import type { CycleRow } from '../store/index.js';

export const changeKinds = ['create', 'update', 'deprovision', 'members', 'failure'] as const;
export type ChangeKind = (typeof changeKinds)[number];

const kindColours: Record<ChangeKind, string> = { create: '#2da44e', update: '#0969da', deprovision: '#bf8700', members: '#8250df', failure: '#cf222e' };

/** Counts are `${action}.${status}`: successes go to their kind, every failure to `failure`. */
export function changesByKind(counts: Record<string, number>): Record<ChangeKind, number> {
  const totals: Record<ChangeKind, number> = { create: 0, update: 0, deprovision: 0, members: 0, failure: 0 };
  for (const [key, n] of Object.entries(counts)) {
    const [action = '', status = ''] = key.split('.');
    if (status === 'failure') totals.failure += n;
    else if (status !== 'success') continue;
    else if (action === 'create' || action === 'link') totals.create += n;
    else if (action === 'update' || action === 'enable') totals.update += n;
    else if (action === 'disable' || action === 'delete') totals.deprovision += n;
    else if (action.endsWith('members')) totals.members += n;
  }
  return totals;
}

const width = 900;
const height = 220;
const top = 16;
const bottom = 24;
const left = 40;
const right = 56;

/** `cycles` newest first (as listRecentCycles returns them); drawn oldest on the left. */
export const CycleChart: FC<{ cycles: CycleRow[] }> = ({ cycles }) => {
  const ordered = [...cycles].reverse();
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const slot = plotWidth / Math.max(ordered.length, 1);
  const bars = ordered.map((c) => ({ cycle: c, kinds: changesByKind(c.counts), durationMs: c.finishedAt ? c.finishedAt.getTime() - c.startedAt.getTime() : null }));
  const maxChanges = Math.max(1, ...bars.map((b) => changeKinds.reduce((sum, k) => sum + b.kinds[k], 0)));
  const maxDuration = Math.max(1, ...bars.map((b) => b.durationMs ?? 0));
  const durationPoints = bars
    .map((b, i) => (b.durationMs === null ? null : `${(left + i * slot + slot / 2).toFixed(1)},${(top + plotHeight - (b.durationMs / maxDuration) * plotHeight).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(' ');
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Changes and duration of the last ${ordered.length} cycles`}>
      <line x1={left} y1={top + plotHeight} x2={width - right} y2={top + plotHeight} stroke="#d1d9e0" />
      <text x={left - 6} y={top + 10} text-anchor="end" font-size="11" fill="#59636e">{maxChanges}</text>
      <text x={left - 6} y={top + plotHeight} text-anchor="end" font-size="11" fill="#59636e">0</text>
      <text x={width - right + 6} y={top + 10} font-size="11" fill="#57606a">{`${(maxDuration / 1000).toFixed(1)} s`}</text>
      <text x={left} y={height - 6} font-size="11" fill="#59636e">{ordered.length > 0 ? 'oldest' : 'no cycles yet'}</text>
      <text x={width - right} y={height - 6} text-anchor="end" font-size="11" fill="#59636e">{ordered.length > 0 ? 'newest' : ''}</text>
      {bars.map((b, i) => {
        let y = top + plotHeight;
        const x = left + i * slot + slot * 0.15;
        const w = Math.max(slot * 0.7, 1);
        const total = changeKinds.reduce((sum, k) => sum + b.kinds[k], 0);
        return (
          <g>
            <title>{`${b.cycle.startedAt.toISOString()} ${b.cycle.kind} ${b.cycle.status}: ${changeKinds.map((k) => `${k} ${b.kinds[k]}`).join(', ')}${b.durationMs === null ? '' : `; ${b.durationMs} ms`}`}</title>
            <rect x={x} y={top} width={w} height={plotHeight} fill="transparent" />
            {changeKinds.map((k) => {
              const h = (b.kinds[k] / maxChanges) * plotHeight;
              y -= h;
              return h > 0 ? <rect class={`bar-${k}`} x={x.toFixed(1)} y={y.toFixed(1)} width={w.toFixed(1)} height={h.toFixed(1)} fill={kindColours[k]} /> : null;
            })}
            {total === 0 ? <rect x={x.toFixed(1)} y={top + plotHeight - 1} width={w.toFixed(1)} height="1" fill="#d1d9e0" /> : null}
          </g>
        );
      })}
      {durationPoints ? <polyline points={durationPoints} fill="none" stroke="#57606a" stroke-width="1.5" /> : null}
    </svg>
  );
};

export const ChartLegend: FC = () => (
  <p class="legend muted">
    <span><i class="k-create" />created / linked</span>
    <span><i class="k-update" />updated / enabled</span>
    <span><i class="k-deprovision" />disabled / deleted</span>
    <span><i class="k-members" />membership changes</span>
    <span><i class="k-failure" />failures</span>
    <span><i class="k-duration" />duration (line, right scale)</span>
  </p>
);
