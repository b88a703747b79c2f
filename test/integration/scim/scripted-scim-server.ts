// A tiny loopback HTTP server whose answers each test scripts: error shapes, resets, delays and paging quirks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
}

/** What to answer: a status with a JSON (or text) body, a reset of the connection after reading the request, or nothing. */
export type ScriptedAnswer =
  | { status: number; json?: unknown; text?: string; contentType?: string; headers?: Record<string, string> }
  | { reset: true }
  | { hang: true };

export interface ScriptedServer {
  url: string;
  token: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startScriptedServer(answer: (request: SeenRequest) => ScriptedAnswer): Promise<ScriptedServer> {
  const seen: SeenRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as unknown) : undefined, at: Date.now() };
      seen.push(request);
      const scripted = answer(request);
      if ('reset' in scripted) {
        req.socket.destroy();
        return;
      }
      if ('hang' in scripted) {
        hanging.add(res);
        return;
      }
      const body = scripted.json !== undefined ? JSON.stringify(scripted.json) : (scripted.text ?? '');
      res.writeHead(scripted.status, {
        ...(body ? { 'content-type': scripted.contentType ?? 'application/scim+json' } : {}),
        ...scripted.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    token: 'scripted-secret-token',
    seen,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const scimError = (status: number, detail: string, scimType?: string): ScriptedAnswer => ({
  status,
  json: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), detail, ...(scimType ? { scimType } : {}) },
});

export const listResponse = (resources: unknown[], totalResults = resources.length, startIndex = 1): ScriptedAnswer => ({
  status: 200,
  json: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources },
});

export const user = (id: string, userName = `${id}@example.com`) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id,
  userName,
  active: true,
  meta: { resourceType: 'User', created: '1787393411245', lastModified: '1787393411245', location: `https://app.notion.com/scim/v2/Users/${id}` },
});
