import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhookMessage, redactWebhookUrl, WebhookError } from '../../../src/observe/index.js';

describe('the webhook sender', () => {
  const received: Array<{ contentType: string | undefined; body: unknown }> = [];
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url === '/refuse') return void response.writeHead(403).end('invalid_token');
        received.push({ contentType: request.headers['content-type'], body: JSON.parse(body) });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts a JSON body with a text field, which Slack and Teams incoming webhooks both show', async () => {
    await postWebhookMessage(`${base}/hook`, 'provisioning is quarantined');
    expect(received).toEqual([{ contentType: 'application/json', body: { text: 'provisioning is quarantined' } }]);
  });

  it('fails with the status, without the secret path, when the webhook refuses', async () => {
    const error = await postWebhookMessage(`${base}/refuse`, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as WebhookError).status).toBe(403);
    expect((error as WebhookError).message).toBe(`webhook ${base}/[Redacted] answered 403`);
  });

  it('shows only the scheme and host of a webhook URL', () => {
    expect(redactWebhookUrl('https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('https://hooks.slack.com/[Redacted]');
    expect(redactWebhookUrl('not a url')).toBe('[Redacted]');
  });
});
