// The page frame: navigation, the one stylesheet (inline, allowed by its hash in the CSP), and small shared pieces.
import { createHash } from 'node:crypto';
import type { Child, FC } from 'hono/jsx';
import { redactText } from '../observe/index.js';
import { consoleCss } from './styles.js';

/** The CSP allows exactly this stylesheet: no other inline style, no script at all. */
export const styleHash = `sha256-${createHash('sha256').update(consoleCss).digest('base64')}`;

const sections = [
  ['/', 'Overview'],
  ['/log', 'Provisioning log'],
  ['/staged', 'Staged deletions'],
  ['/escrow', 'Escrow & quarantine'],
  ['/cycles', 'Cycles'],
] as const;

export interface PageProps {
  title: string;
  /** The signed-in identity and the CSRF token for the sign-out form; absent on the sign-in page. */
  session?: { actor: string; csrfToken: string };
  active?: string;
  /** Reload the page every n seconds (while a cycle runs), without any script. */
  refreshSeconds?: number;
  children?: Child;
}

export const Page: FC<PageProps> = ({ title, session, active, refreshSeconds, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      {refreshSeconds ? <meta http-equiv="refresh" content={String(refreshSeconds)} /> : null}
      <title>{`${title} · entra-notion-sync`}</title>
      <style dangerouslySetInnerHTML={{ __html: consoleCss }} />
    </head>
    <body>
      <header>
        <strong class="brand">entra-notion-sync</strong>
        {session ? (
          <nav>
            {sections.map(([href, label]) => (
              <a href={href} class={active === href ? 'active' : undefined}>
                {label}
              </a>
            ))}
          </nav>
        ) : null}
        {session ? (
          <form method="post" action="/sign-out" class="sign-out">
            <CsrfField token={session.csrfToken} />
            <span class="actor">{session.actor}</span> <button type="submit">Sign out</button>
          </form>
        ) : null}
      </header>
      <main>
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

export const CsrfField: FC<{ token: string }> = ({ token }) => <input type="hidden" name="_csrf" value={token} />;

/** Text from the store or an error: passed through the redaction of registered secrets before it is shown. */
export const Shown: FC<{ text: string | null | undefined }> = ({ text }) => <>{text ? redactText(text) : ''}</>;

export const Notice: FC<{ text: string | undefined }> = ({ text }) => (text ? <p class="notice">{text}</p> : null);

export function formatTime(date: Date | null | undefined): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')}Z` : '';
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const StatusBadge: FC<{ status: string }> = ({ status }) => <span class={`badge ${status}`}>{status}</span>;

export function objectHref(objectType: string, sourceId: string): string {
  return `/objects/${encodeURIComponent(objectType)}/${encodeURIComponent(sourceId)}`;
}
