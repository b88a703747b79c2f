// Sends an alert to an incoming webhook. The body carries a `text` field, which both Slack and Microsoft Teams
// incoming webhooks accept and display as the message. Through HTTPS_PROXY unless NO_PROXY names the host.
import { EnvHttpProxyAgent, request } from 'undici';
import { redactText } from './redact.js';

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export interface PostWebhookOptions {
  timeoutMs?: number;
}

/** Posts `{ text }` as JSON; throws WebhookError when the webhook does not answer 2xx in time. */
export async function postWebhookMessage(url: string, text: string, options: PostWebhookOptions = {}): Promise<void> {
  // One agent per alert (alerts are rare): it reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY now, and holds no socket after.
  const dispatcher = new EnvHttpProxyAgent();
  let status: number;
  try {
    const response = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: redactText(text) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    status = response.statusCode;
    await response.body.dump();
  } catch (error) {
    // The URL itself is a secret (whoever has it can post): name only its host.
    throw new WebhookError(`webhook ${redactWebhookUrl(url)} unreachable: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await dispatcher.close();
  }
  if (status < 200 || status >= 300) throw new WebhookError(`webhook ${redactWebhookUrl(url)} answered ${status}`, status);
}

/** The webhook URL as logs may show it: scheme and host only (the path holds the secret token). */
export function redactWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/[Redacted]`;
  } catch {
    return '[Redacted]';
  }
}
