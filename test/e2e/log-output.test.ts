// `sync` as a process: JSON log lines without a repeated key (progress lines carrying the cycle id) when stdout is
// not a terminal, readable lines with LOG_FORMAT=pretty, and the job's metrics left in METRICS_TEXTFILE.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, simulatorCaPath, startGraphSimulator, type GraphSimulator } from '../../src/sim/graph/index.js';
import { startNotionSimulator, type NotionSimulator } from '../../src/sim/notion/index.js';
import { runCli } from '../helpers/cli-process.js';
import { simulatorConnectionEnv } from '../helpers/engine-session.js';
import { parseLogLines } from '../helpers/log-lines.js';
import { createTestStoreLocation, storeEnv } from '../helpers/store.js';

let graph: GraphSimulator;
let notion: NotionSimulator;
let env: Record<string, string>;
let drop: () => Promise<void>;
const metricsDir = mkdtempSync(join(tmpdir(), 'ens-textfile-'));

beforeAll(async () => {
  graph = await startGraphSimulator({ tenant: generateTenant({ seed: 5, users: 25, groups: 3, directAssignmentShare: 0.4 }) });
  notion = await startNotionSimulator({});
  const created = await createTestStoreLocation();
  drop = created.drop;
  env = { ...simulatorConnectionEnv(graph, notion), NOTION_RATE_LIMIT_RPS: '1000', NOTION_MAX_CONCURRENCY: '4', NODE_EXTRA_CA_CERTS: simulatorCaPath, PROTECTED_USERS: 'owner@example.com', ...storeEnv(created.location) };
});
afterAll(async () => {
  await Promise.all([graph.close(), notion.close()]);
  await drop();
});

describe('sync as a process', () => {
  it('writes JSON lines with no repeated key, progress lines carrying the cycle id, and leaves its metrics in the textfile', async () => {
    const textfile = join(metricsDir, 'entra-notion-sync.prom');
    const sync = await runCli(['sync'], { ...env, LOG_LEVEL: 'debug', METRICS_TEXTFILE: textfile });
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    const lines = parseLogLines(sync.stdout);
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ status: 'succeeded' });
    const cycleId = summary.cycleId as string;
    const progress = lines.filter((l) => l.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line.cycleId).toBe(cycleId);
    expect(lines.find((l) => l.event === 'cycle.finished')).toMatchObject({ cycleId, target: 'default' });

    expect(readdirSync(metricsDir)).toEqual(['entra-notion-sync.prom']);
    const metrics = readFileSync(textfile, 'utf8');
    const creates = (summary.counts as Record<string, number>)['create.success']!;
    expect(creates).toBeGreaterThan(0);
    expect(metrics).toContain('entra_notion_sync_cycles_total{outcome="succeeded",target="default"} 1');
    expect(metrics).toContain(`entra_notion_sync_operations_total{action="create",status="success",target="default"} ${creates}`);
    expect(metrics).toMatch(/^entra_notion_sync_http_requests_total\{service="scim",method="POST",status="201",target="default"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^entra_notion_sync_http_requests_total\{service="scim",method="GET",status="200",target="default"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^entra_notion_sync_build_info\{version="[^"]+",node="v\d+[^"]*",target="default"\} 1$/m);
  });

  it('writes readable lines and a readable summary with LOG_FORMAT=pretty', async () => {
    const sync = await runCli(['sync'], { ...env, LOG_FORMAT: 'pretty' });
    expect(sync.code).toBe(0);
    const lines = sync.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: cycle\.started \{"cycleId":"[0-9a-f-]+","target":"default","kind":"incremental"/);
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    expect(sync.stdout).toMatch(/^incremental cycle succeeded in \d+\.\ds$/m);
    expect(existsSync(join(metricsDir, 'entra-notion-sync.prom'))).toBe(true);
  });
});
