// Sign-in, sign-out, the session gate in front of every page and the CSRF check on every POST.
// A password (CONSOLE_PASSWORD) is required off loopback; on loopback without one, signing in asks only for a name,
// so that every action still carries who took it and every form still carries a CSRF token.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { Page } from './layout.js';
import type { ConsoleApp, ConsoleContext, ConsoleEnv } from './context.js';
import { createSignInThrottle, secretsEqual, type SessionStore } from './sessions.js';

export const sessionCookie = 'ens_console_session';
/** Routes anyone may reach: the probes and the sign-in form itself. */
export const publicPaths: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/sign-in']);

const namePattern = /^[\p{L}\p{N} ._@-]{1,64}$/u;

export function registerSignIn(app: ConsoleApp, ctx: ConsoleContext, sessions: SessionStore): void {
  const password = ctx.config.console.password;
  const throttle = createSignInThrottle();
  app.get('/sign-in', (c) => c.html(<SignInPage needsPassword={password !== undefined} next={safeNext(c.req.query('next'))} />));
  app.post('/sign-in', async (c) => {
    if (!sameOrigin(c)) return c.text('cross-site sign-in refused\n', 403);
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const next = safeNext(String(form.next ?? ''));
    if (!namePattern.test(name)) return c.html(<SignInPage needsPassword={password !== undefined} next={next} problem="Enter your name (letters, digits, space, . _ @ -): it is written into the log with each action." />, 400);
    if (password !== undefined && !throttle.allowed()) {
      return c.html(<SignInPage needsPassword next={next} problem="Too many failed sign-ins in the last minute: wait a minute and try again." />, 429);
    }
    if (password !== undefined && !secretsEqual(String(form.password ?? ''), password)) {
      throttle.recordFailure();
      ctx.logger.warn({ event: 'console.sign-in.refused', name });
      return c.html(<SignInPage needsPassword next={next} problem="Wrong password." />, 401);
    }
    const { id } = sessions.create(`console:${name}`);
    setCookie(c, sessionCookie, id, { httpOnly: true, secure: !ctx.loopback, sameSite: 'Lax', path: '/' });
    ctx.logger.info({ event: 'console.signed-in', actor: `console:${name}` });
    return c.redirect(next, 303);
  });
}

/** Behind the session gate: signing out needs the CSRF token like every other POST. */
export function registerSignOut(app: ConsoleApp, sessions: SessionStore): void {
  app.post('/sign-out', (c) => {
    sessions.remove(c.get('sessionId'));
    deleteCookie(c, sessionCookie, { path: '/' });
    return c.redirect('/sign-in', 303);
  });
}

/** Every route but the public ones needs a session; a POST also needs the session's CSRF token. */
export function requireSession(sessions: SessionStore): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const id = getCookie(c, sessionCookie);
    const session = sessions.find(id);
    if (!session || !id) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(`/sign-in?next=${encodeURIComponent(c.req.path)}`, 303);
      return c.text('sign in first\n', 401);
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const form = await c.req.parseBody();
      if (typeof form._csrf !== 'string' || !secretsEqual(form._csrf, session.csrfToken)) return c.text('missing or wrong CSRF token: reload the page and try again\n', 403);
    }
    c.set('session', session);
    c.set('sessionId', id);
    await next();
  };
}

/** A browser always sends Origin on a form POST; one from another site must not sign anyone in. */
function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (!origin) return true;
  try {
    return new URL(origin).host === c.req.header('host');
  } catch {
    return false;
  }
}

/** Only a local path: never an open redirect to another site. */
function safeNext(value: string | undefined): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

const SignInPage = ({ needsPassword, next, problem }: { needsPassword: boolean; next: string; problem?: string }) => (
  <Page title="Sign in">
    <form method="post" action="/sign-in" class="sign-in">
      {problem ? <p class="problem">{problem}</p> : null}
      <input type="hidden" name="next" value={next} />
      <label>
        Your name (recorded with each action)
        <input name="name" autocomplete="username" required maxlength={64} autofocus />
      </label>
      {needsPassword ? (
        <label>
          Console password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
      ) : (
        <p class="muted">This console listens on loopback only and has no password (set CONSOLE_PASSWORD to require one).</p>
      )}
      <button type="submit" class="primary">Sign in</button>
    </form>
  </Page>
);
