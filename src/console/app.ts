// The console's Hono app: security headers, probes, sign-in, the session gate, then the pages. The worker mounts the
// same app on its HTTP port; the `console` command serves it alone (server.ts).
import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { isLoopbackHost } from '../config/index.js';
import { redactText } from '../observe/index.js';
import { registerSignIn, registerSignOut, requireSession } from './auth.js';
import type { ConsoleApp, ConsoleContext, ConsoleEnv, ConsoleOptions } from './context.js';
import { styleHash } from './layout.js';
import { registerCycles } from './pages/cycles.js';
import { registerEscrow } from './pages/escrow.js';
import { registerLog } from './pages/log.js';
import { registerObject } from './pages/object.js';
import { registerOverview } from './pages/overview.js';
import { registerStaged } from './pages/staged.js';
import { createSessionStore } from './sessions.js';

export class ConsoleSetupError extends Error {
  override name = 'ConsoleSetupError';
}

/** Off loopback, anyone who can reach the port could act: a password is required there (checked before the store is opened). */
export function consoleSetupProblem(loopback: boolean, password: string | undefined): string | undefined {
  return loopback || password ? undefined : 'the console listens beyond loopback: set CONSOLE_PASSWORD (or CONSOLE_PASSWORD_FILE) so that it asks for a password, or listen on 127.0.0.1';
}

/**
 * On loopback the console asks for no password, so it must answer only to a loopback name. A page on evil.example
 * whose name an attacker re-points at 127.0.0.1 (DNS rebinding) is otherwise same-origin with it: it could sign in
 * with any name, read the CSRF tokens, and approve staged deletions.
 */
const loopbackNamesOnly: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  if (!isLoopbackHost(hostnameOf(c.req.header('host') ?? new URL(c.req.url).host))) {
    return c.text('This console answers only at 127.0.0.1, localhost or [::1]: open it by one of those names.\n', 421);
  }
  await next();
};

function hostnameOf(host: string): string {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return '';
  }
}

export function createConsoleApp(options: ConsoleOptions): ConsoleApp {
  const problem = consoleSetupProblem(options.loopback, options.config.console.password);
  if (problem) throw new ConsoleSetupError(problem);
  const ctx: ConsoleContext = {
    ...options,
    now: options.now ?? (() => new Date()),
    requestCycle: options.requestCycle,
    phaseInFlight: options.phaseInFlight ?? (() => undefined),
    target: options.config.target,
    startedAt: new Date(),
  };
  const sessions = createSessionStore();
  const app: ConsoleApp = new Hono<ConsoleEnv>();
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: [`'${styleHash}'`],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      strictTransportSecurity: options.loopback ? false : 'max-age=31536000',
      referrerPolicy: 'same-origin',
      permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    c.header('cache-control', 'no-store');
  });
  if (options.loopback) app.use('*', loopbackNamesOnly);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await ctx.store.ping();
      return c.json({ ready: true, problems: [] });
    } catch (error) {
      return c.json({ ready: false, problems: [redactText(error instanceof Error ? error.message : String(error))] }, 503);
    }
  });
  registerSignIn(app, ctx, sessions);
  app.use('*', requireSession(sessions));
  registerSignOut(app, sessions);
  registerOverview(app, ctx);
  registerLog(app, ctx);
  registerObject(app, ctx);
  registerStaged(app, ctx);
  registerEscrow(app, ctx);
  registerCycles(app, ctx);
  app.notFound((c) => c.text('not found\n', 404));
  app.onError((error, c) => {
    ctx.logger.error({ event: 'console.error', path: c.req.path, err: redactText(error.message) });
    return c.text(`The console could not answer: ${redactText(error.message)}\n`, 500);
  });
  return app;
}
