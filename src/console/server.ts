// Serves the console on its own port (the `console` command); the worker mounts createConsoleApp on its HTTP port instead.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, serve, type ServerType } from '@hono/node-server';
import { isLoopbackHost } from '../config/index.js';
import { createConsoleApp } from './app.js';
import type { ConsoleOptions } from './context.js';

export interface ConsoleServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startConsoleServer(options: Omit<ConsoleOptions, 'loopback'> & { host: string; port: number }): Promise<ConsoleServer> {
  const { host, port, ...rest } = options;
  const app = createConsoleApp({ ...rest, loopback: isLoopbackHost(host) });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  options.logger.info({ event: 'console.listening', url });
  return {
    url,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

/**
 * For the worker's HTTP port (CONSOLE_ENABLED): a Node request listener that answers every console path; the worker
 * keeps answering /healthz, /readyz and /metrics itself and hands every other request to this one.
 */
export function createConsoleRequestListener(options: Omit<ConsoleOptions, 'loopback'> & { host: string | undefined }): (request: IncomingMessage, response: ServerResponse) => void {
  const { host, ...rest } = options;
  // The worker listens on every interface unless told otherwise: that is beyond loopback, so a password is required.
  const app = createConsoleApp({ ...rest, loopback: host !== undefined && isLoopbackHost(host) });
  return getRequestListener(app.fetch);
}
