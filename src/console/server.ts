// Serves the console on its own port (the `console` command); the worker mounts createConsoleApp on its HTTP port instead.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
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
