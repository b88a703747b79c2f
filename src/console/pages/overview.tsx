// Page 1, Overview: health, last and next cycle, counts, and the chart of the last 100 cycles; reloads while a cycle runs.
import { describeNotionRate, formatProgressLine } from '../../observe/index.js';
import { CycleChart, ChartLegend } from '../chart.js';
import type { ConsoleApp, ConsoleContext } from '../context.js';
import { readOverviewFacts, type OverviewFacts } from '../health.js';
import { formatDuration, formatTime, Page, Shown, StatusBadge } from '../layout.js';

export function registerOverview(app: ConsoleApp, ctx: ConsoleContext): void {
  app.get('/', async (c) => {
    const facts = await readOverviewFacts(ctx);
    return c.html(
      <Page title="Overview" session={c.get('session')} active="/" refreshSeconds={facts.running ? 5 : undefined}>
        <Overview facts={facts} schedule={ctx.config.schedule} />
      </Page>,
    );
  });
}

const count = (facts: OverviewFacts, objectType: string, state: string) => facts.links.filter((l) => l.objectType === objectType && l.state === state).reduce((n, l) => n + l.count, 0);

const Overview = ({ facts, schedule }: { facts: OverviewFacts; schedule: string }) => {
  const { health, running, lastFinished } = facts;
  return (
    <>
      <div class="health" id="health">
        <StatusBadge status={facts.label} /> <HealthText facts={facts} />
      </div>
      <div class="cards">
        <Card label="Linked users (active)" value={count(facts, 'user', 'active')} />
        <Card label="Linked users (disabled)" value={count(facts, 'user', 'disabled')} />
        <Card label="Linked groups" value={count(facts, 'group', 'active')} />
        <Card label="Escrowed objects" value={health.escrowed} href="/escrow" />
        <Card label="Staged deletions" value={health.stagedDeletes} href="/staged" />
      </div>
      <h2>Cycles</h2>
      <table>
        <tbody>
          <tr>
            <th>Last cycle</th>
            <td>
              {lastFinished ? (
                <>
                  <a href={`/cycles/${lastFinished.id}`}>{formatTime(lastFinished.startedAt)}</a> {lastFinished.kind} <StatusBadge status={lastFinished.status} />{' '}
                  {formatDuration(lastFinished.finishedAt ? lastFinished.finishedAt.getTime() - lastFinished.startedAt.getTime() : null)} <Shown text={lastFinished.error} />
                </>
              ) : (
                'none yet'
              )}
            </td>
          </tr>
          <tr>
            <th>Running now</th>
            <td>
              {running ? `${running.kind} cycle since ${formatTime(running.startedAt)} (this page reloads every 5 s)` : 'no'}
              {facts.phase ? <div class="mono" id="phase">{formatProgressLine(facts.phase, 160)}</div> : null}
            </td>
          </tr>
          <tr>
            <th>Last success</th>
            <td>{health.lastSuccessAt ? formatTime(health.lastSuccessAt) : 'none yet'}</td>
          </tr>
          <tr>
            <th>Next cycle</th>
            <td>
              {facts.nextCycleAt ? formatTime(facts.nextCycleAt) : ''} <span class="muted">{health.quarantine ? '(quarantine: next attempt)' : `(worker schedule ${schedule})`}</span>
            </td>
          </tr>
          <tr>
            <th>Notion request rate</th>
            <td id="notion-rate">{describeNotionRate(facts.notionRate)}</td>
          </tr>
        </tbody>
      </table>
      <h2>Last {facts.cycles.length} cycles</h2>
      <CycleChart cycles={facts.cycles} />
      <ChartLegend />
    </>
  );
};

const HealthText = ({ facts }: { facts: OverviewFacts }) => {
  const { health } = facts;
  switch (facts.label) {
    case 'quarantined':
      return (
        <>
          Quarantined since {formatTime(health.quarantine?.since)}: <Shown text={health.quarantine?.reason} />. Next attempt {formatTime(health.quarantine?.nextAttemptAt) || 'at the next tick'}.{' '}
          <a href="/escrow">End quarantine</a> once the cause is fixed.
        </>
      );
    case 'stale':
      return <>Stale: no cycle succeeded since {health.lastSuccessAt ? formatTime(health.lastSuccessAt) : 'the console started'}.</>;
    case 'held':
      return (
        <>
          Deprovisioning held: {health.stagedDeletes} staged deletion(s) wait for a decision. <a href="/staged">Review them</a>.
        </>
      );
    case 'running':
      return <>A cycle is running.</>;
    case 'healthy':
      return <>Healthy: the last cycle finished {facts.lastFinished ? <StatusBadge status={facts.lastFinished.status} /> : 'never'}.</>;
  }
};

const Card = ({ label, value, href }: { label: string; value: number; href?: string }) => (
  <div class="card">
    <div class="value">{href ? <a href={href}>{value}</a> : value}</div>
    <div class="label">{label}</div>
  </div>
);
