// Writing answers on the wire: SCIM JSON, and the spoiled answers that injected faults play.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NotionFault } from './options.js';
import type { ScimAnswer } from './routes.js';
import { scimErrorBody } from './scim-error.js';

const scimContentType = 'application/scim+json; charset=utf-8';

export function sendAnswer(response: ServerResponse, answer: ScimAnswer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined) {
    response.writeHead(answer.status, headers).end();
    return;
  }
  response.writeHead(answer.status, { ...headers, 'Content-Type': scimContentType }).end(JSON.stringify(answer.body));
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

/**
 * Plays a fault on this response. `answer` is the real answer when the request was applied first (`when: 'after'`).
 * Returns the status sent, or 0 when nothing was (reset, or a request left hanging until the simulator closes).
 */
export function sendFault(request: IncomingMessage, response: ServerResponse, fault: NotionFault, answer: ScimAnswer | undefined, hanging: Set<ServerResponse>): number {
  switch (fault.kind) {
    case 'status': {
      const status = fault.status ?? 500;
      sendAnswer(response, { status, body: scimErrorBody(status, 'Injected fault') });
      return status;
    }
    case 'reset':
      request.socket.resetAndDestroy();
      return 0;
    case 'timeout':
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return 0;
    case 'malformed': {
      const status = fault.status ?? answer?.status ?? 200;
      const whole = JSON.stringify(answer?.body ?? { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], Resources: [] });
      response.writeHead(status, { 'Content-Type': scimContentType }).end(whole.slice(0, Math.max(1, Math.floor(whole.length / 2))));
      return status;
    }
    case 'html': {
      // What a proxy or CDN in front of the API sends when the origin fails.
      const status = fault.status ?? 502;
      const page = `<!DOCTYPE html><html><head><title>${status} Bad Gateway</title></head><body><h1>${status} Bad Gateway</h1><hr><p>cloudflare</p></body></html>`;
      response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
      return status;
    }
  }
}

export async function readBodyText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
