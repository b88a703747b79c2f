import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { beginJobMetrics, countHttpAnswer, createWorkerMetrics, packageVersion, type WorkerMetrics } from '../../../src/observe/index.js';

let metrics: WorkerMetrics | undefined;
afterEach(() => metrics?.close());

const cycle = { status: 'succeeded', durationMs: 2_000, counts: { 'create.success': 3 }, scim: { requests: 4, throttled: 0, retries: 0, requestsPerSecond: 2.5 }, graph: { requests: 2, throttled: 0 } };

describe('the metrics', () => {
  it('keep the standard names of Node process metrics, and name the build', async () => {
    metrics = createWorkerMetrics('acme');
    const { body } = await metrics.render();
    expect(body).toMatch(/^process_cpu_seconds_total\{target="acme"\} /m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes\{target="acme"\} /m);
    expect(body).not.toMatch(/entra_notion_sync_(process|nodejs)_/);
    expect(body).toContain(`entra_notion_sync_build_info{version="${packageVersion}",node="${process.version}",target="acme"} 1`);
    expect(packageVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('count SCIM and Graph answers live, by service, method and status, until closed', async () => {
    metrics = createWorkerMetrics('live');
    countHttpAnswer('scim', 'patch', 200);
    countHttpAnswer('scim', 'PATCH', 200);
    countHttpAnswer('scim', 'POST', 'error');
    countHttpAnswer('graph', 'GET', 429);
    let { body } = await metrics.render();
    expect(body).toContain('entra_notion_sync_http_requests_total{service="scim",method="PATCH",status="200",target="live"} 2');
    expect(body).toContain('entra_notion_sync_http_requests_total{service="scim",method="POST",status="error",target="live"} 1');
    expect(body).toContain('entra_notion_sync_http_requests_total{service="graph",method="GET",status="429",target="live"} 1');
    metrics.close();
    countHttpAnswer('graph', 'GET', 429);
    ({ body } = await metrics.render());
    expect(body).toContain('entra_notion_sync_http_requests_total{service="graph",method="GET",status="429",target="live"} 1');
  });
});

describe("a job's metrics", () => {
  it('are written atomically to the textfile: no temporary file left, no process metrics, no staleness', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ens-metrics-'));
    const textfile = join(dir, 'entra-notion-sync.prom');
    const job = beginJobMetrics('acme', { textfile });
    countHttpAnswer('scim', 'POST', 201);
    await job.finish({ ...cycle, finishedAt: new Date(1_800_000_000_000), stagedDeletes: 0, escrowed: 1 });
    expect(readdirSync(dir)).toEqual(['entra-notion-sync.prom']);
    const text = readFileSync(textfile, 'utf8');
    expect(text).toContain('entra_notion_sync_cycles_total{outcome="succeeded",target="acme"} 1');
    expect(text).toContain('entra_notion_sync_http_requests_total{service="scim",method="POST",status="201",target="acme"} 1');
    expect(text).toContain('entra_notion_sync_last_successful_cycle_timestamp_seconds{target="acme"} 1800000000');
    expect(text).toContain('entra_notion_sync_escrowed_objects{target="acme"} 1');
    expect(text).toContain('entra_notion_sync_scim_rate_requests_per_second{target="acme"} 2.5');
    expect(text).not.toContain('process_cpu_seconds_total');
    expect(text).not.toContain('entra_notion_sync_stale');
  });

  it('carry no last-success time when the run did not succeed, and are pushed to a Pushgateway', async () => {
    const pushes: Array<{ method: string; url: string; body: string }> = [];
    const gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const job = beginJobMetrics('acme', { pushgatewayUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}` });
      await job.finish({ ...cycle, status: 'partial', finishedAt: new Date(), stagedDeletes: 2, escrowed: 0 });
      expect(pushes).toHaveLength(1);
      expect(pushes[0]).toMatchObject({ method: 'PUT', url: '/metrics/job/entra_notion_sync/target/acme' });
      expect(pushes[0]!.body).toContain('entra_notion_sync_cycles_total{outcome="partial",target="acme"} 1');
      expect(pushes[0]!.body).toContain('entra_notion_sync_staged_deletes{target="acme"} 2');
      expect(pushes[0]!.body).not.toContain('last_successful_cycle');
    } finally {
      gateway.closeAllConnections();
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
  });

  // --- Watch mode (issue 15) ---
  it('count watch polls by outcome, changes by source, cycles by reason, and the propagation delay', async () => {
    metrics = createWorkerMetrics('watch', { processMetrics: false });
    metrics.recordPoll('unchanged');
    metrics.recordPoll('unchanged');
    metrics.recordPoll('changed', ['assignments']);
    metrics.recordCycleReasons(['schedule', 'watch']);
    metrics.recordPropagation(12);
    const { body } = await metrics.render();
    expect(body).toContain('entra_notion_sync_watch_polls_total{outcome="unchanged",target="watch"} 2');
    expect(body).toContain('entra_notion_sync_watch_changes_detected_total{source="assignments",target="watch"} 1');
    expect(body).toContain('entra_notion_sync_cycle_triggers_total{reason="watch",target="watch"} 1');
    expect(body).toContain('entra_notion_sync_propagation_delay_seconds_bucket{le="20",target="watch"} 1');
    expect(body).toContain('entra_notion_sync_propagation_delay_seconds_bucket{le="10",target="watch"} 0');
  });
});
