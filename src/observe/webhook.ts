// Sends an alert to an incoming webhook. The body carries a `text` field, which both Slack and Microsoft Teams
// incoming webhooks accept and display as the message.

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
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    // The URL itself is a secret (whoever has it can post): name only its host.
    throw new WebhookError(`webhook ${redactWebhookUrl(url)} unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new WebhookError(`webhook ${redactWebhookUrl(url)} answered ${response.status}`, response.status);
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
