// The worker's optional HTTP port: /healthz (the process answers), /readyz (store reachable, not quarantined, not
// stale) and /metrics (Prometheus text format).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, WorkerMetrics } from '../observe/index.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready, one line each. */
  problems: string[];
}

export interface HealthServerOptions {
  port: number;
  /** The interface to listen on; all of them by default (a container's probes come from outside). */
  host?: string;
  logger: Logger;
  metrics: WorkerMetrics;
  checkReadiness: () => Promise<Readiness>;
  /** Every other path and method goes here (the web console when enabled) instead of a 404. */
  fallback?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Paths served before the fallback, whatever the method (the Graph notification endpoint: its own authentication). */
  routes?: Record<string, (request: IncomingMessage, response: ServerResponse) => void>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

const probePaths = ['/healthz', '/readyz', '/metrics'];

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    const route = options.routes && Object.hasOwn(options.routes, path ?? '') ? options.routes[path ?? ''] : undefined;
    if (route) return route(request, response);
    if (options.fallback && !probePaths.includes(path ?? '')) return options.fallback(request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return answer(200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      options.checkReadiness().then(
        (readiness) => answer(readiness.ready ? 200 : 503, 'application/json', `${JSON.stringify(readiness)}\n`),
        (error: unknown) => answer(503, 'application/json', `${JSON.stringify({ ready: false, problems: [errorText(error)] })}\n`),
      );
      return;
    }
    if (path === '/metrics') {
      options.metrics.render().then(
        ({ contentType, body }) => answer(200, contentType, body),
        (error: unknown) => answer(500, 'text/plain', `${errorText(error)}\n`),
      );
      return;
    }
    answer(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ event: 'worker.http.listening', port, paths: [...probePaths, ...Object.keys(options.routes ?? {})] });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
