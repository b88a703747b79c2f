// A loopback reverse proxy that injects seeded faults between a client and one simulator: answers it makes up
// (5xx, 429 with Retry-After), connections reset before or after the server acted, slow answers, answers
// rewritten (malformed pages, wrong ids), and answers held while a test kills the client. Used by the chaos
// suite (test/chaos); it serves TLS with the Graph simulator's loopback certificate when asked, so MSAL and the
// Graph client accept it. Every injected fault is logged, so a failing run says what it survived and what not.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { readServerTls, simulatorCaPath } from './graph/tls-files.js';
import { SeededRandom } from './graph/random.js';

/** What the proxy does to a request a rule picked. */
export type FaultKind =
  /** Answer `status` (default 503) without forwarding: the server never saw the request. */
  | 'status'
  /** Answer 429 with `Retry-After: retryAfterSeconds` (default 1) without forwarding. */
  | 'throttle'
  /** Destroy the connection without forwarding. */
  | 'reset-before'
  /** Forward (the server acts), then destroy the connection: the client cannot know the outcome. */
  | 'reset-after'
  /** Forward (the server acts), then answer `status` (default 502) instead of the server's answer. */
  | 'status-after'
  /** Forward, then hold the answer `delayMs` (default 2000) before passing it on. */
  | 'delay'
  /** Forward, then pass on what `rewrite` makes of the answer. */
  | 'rewrite';

export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaultRule {
  kind: FaultKind;
  /** Which requests the rule may pick: method (exact, upper case) and a pattern over path and query. */
  match?: { method?: string; path?: RegExp };
  /** Share of matching requests hit (seeded draw); without it, every matching request until `count` runs out. */
  rate?: number;
  /** At most this many hits (default unlimited). */
  count?: number;
  status?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  rewrite?: (answer: ProxiedAnswer, request: { method: string; path: string; body: string }) => ProxiedAnswer;
  /** A label for the log (default: the kind). */
  label?: string;
}

export interface InjectedFault {
  label: string;
  method: string;
  path: string;
  at: number;
}

export interface ForwardedEvent {
  method: string;
  path: string;
  status: number;
  /** Call before returning from the listener to hold the answer until `release` (or forever, if never called). */
  hold(): { release(): void };
}

export interface FaultProxyOptions {
  /** The simulator's origin, e.g. `https://127.0.0.1:4430`. */
  target: string;
  /** Serve https with the simulator's loopback certificate (for the Graph side). */
  tls?: boolean;
  seed?: number;
  rules?: FaultRule[];
  /** Strings added to every error body (made up or the server's) and as an `X-Echo` header, as a careless server would. */
  echo?: string[];
  /** Also echo each request's own Authorization header that way (the bearer token a client sent). */
  echoAuthorization?: boolean;
}

export interface FaultProxy {
  /** The proxy's origin; use it in place of the target's. */
  readonly url: string;
  /** Replace the rules (counts start again). */
  setRules(rules: FaultRule[]): void;
  setEcho(values: string[], authorization?: boolean): void;
  /** Every distinct Authorization header value clients sent (to scan for the tokens afterwards). */
  authorizations(): string[];
  injected(): InjectedFault[];
  /** Injected faults per label. */
  injectedCounts(): Record<string, number>;
  /** `forwarded` (a ForwardedEvent) after the server answered a request and before the client gets the answer. */
  readonly events: EventEmitter;
  close(): Promise<void>;
}

interface ActiveRule extends FaultRule {
  hits: number;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = new SeededRandom(options.seed ?? 1);
  const events = new EventEmitter();
  const log: InjectedFault[] = [];
  let rules: ActiveRule[] = (options.rules ?? []).map((rule) => ({ ...rule, hits: 0 }));
  let echo = options.echo ?? [];
  let echoAuthorization = options.echoAuthorization ?? false;
  const authorizations = new Set<string>();
  const upstreamCa = target.protocol === 'https:' ? readFileSync(simulatorCaPath) : undefined;
  let ownOrigin = '';

  const pickRule = (method: string, path: string): ActiveRule | null => {
    for (const rule of rules) {
      if (rule.match?.method && rule.match.method !== method) continue;
      if (rule.match?.path && !rule.match.path.test(path)) continue;
      if (rule.count !== undefined && rule.hits >= rule.count) continue;
      if (rule.rate !== undefined && !random.chance(rule.rate)) continue;
      rule.hits += 1;
      log.push({ label: rule.label ?? rule.kind, method, path, at: Date.now() });
      return rule;
    }
    return null;
  };

  const echoesFor = (req: IncomingMessage): string[] => [...echo, ...(echoAuthorization && req.headers.authorization ? [req.headers.authorization] : [])];
  const echoHeaders = (echoes: string[]): Record<string, string> => (echoes.length > 0 ? { 'x-echo': echoes.join(' ') } : {});
  const madeUp = (req: IncomingMessage, res: ServerResponse, status: number, extraHeaders: Record<string, string> = {}): void => {
    const echoes = echoesFor(req);
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status),
      detail: `injected fault ${status}${echoes.length > 0 ? `; request had ${echoes.map((v) => `Authorization: Bearer ${v}`).join(', ')}` : ''}`,
      error: { code: status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', message: `injected ${status} ${echoes.join(' ')}` },
    });
    res.writeHead(status, { 'content-type': 'application/json', ...echoHeaders(echoes), ...extraHeaders });
    res.end(body);
  };

  const forward = (req: IncomingMessage, body: Buffer): Promise<ProxiedAnswer> =>
    new Promise((resolve, reject) => {
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const headers = { ...req.headers, host: target.host };
      delete headers.connection;
      const upstream = send(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, ...(upstreamCa ? { ca: upstreamCa } : {}), agent: false },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('error', reject);
          answer.on('end', () => {
            const outHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value === undefined || ['content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)) continue;
              outHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            // Absolute links (Graph's nextLink, Location) name the simulator; point them at the proxy instead.
            const text = Buffer.concat(chunks).toString('utf8').replaceAll(target.origin, ownOrigin);
            if (outHeaders.location) outHeaders.location = outHeaders.location.replaceAll(target.origin, ownOrigin);
            resolve({ status: answer.statusCode ?? 502, headers: outHeaders, body: text });
          });
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    if (req.headers.authorization) authorizations.add(req.headers.authorization);
    const rule = pickRule(method, path);
    if (rule?.kind === 'status') return madeUp(req, res, rule.status ?? 503);
    if (rule?.kind === 'throttle') return madeUp(req, res, 429, { 'retry-after': String(rule.retryAfterSeconds ?? 1) });
    if (rule?.kind === 'reset-before') return void req.socket.destroy();
    let answer: ProxiedAnswer;
    try {
      answer = await forward(req, body);
    } catch {
      return void req.socket.destroy();
    }
    const holds: Array<Promise<void>> = [];
    const event: ForwardedEvent = {
      method, path, status: answer.status,
      hold: () => {
        let release = () => {};
        holds.push(new Promise<void>((resolve) => (release = resolve)));
        return { release };
      },
    };
    events.emit('forwarded', event);
    await Promise.all(holds);
    if (rule?.kind === 'reset-after') return void req.socket.destroy();
    if (rule?.kind === 'status-after') return madeUp(req, res, rule.status ?? 502);
    if (rule?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, rule.delayMs ?? 2000));
    if (rule?.kind === 'rewrite' && rule.rewrite) answer = rule.rewrite(answer, { method, path, body: body.toString('utf8') });
    const echoes = echoesFor(req);
    if (answer.status >= 400 && echoes.length > 0) {
      const text = echoes.join(' ');
      const body = answer.body.trimEnd().endsWith('}') ? `${answer.body.trimEnd().slice(0, -1)},"echo":${JSON.stringify(text)}}` : `${answer.body} ${text}`;
      answer = { ...answer, headers: { ...answer.headers, ...echoHeaders(echoes) }, body };
    }
    if (res.destroyed) return;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
    res.end(answer.body);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => req.socket.destroy());
  };
  const server = options.tls ? createHttpsServer(readServerTls(), listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ownOrigin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: ownOrigin,
    events,
    setRules: (next) => void (rules = next.map((rule) => ({ ...rule, hits: 0 }))),
    setEcho: (values, authorization = false) => {
      echo = values;
      echoAuthorization = authorization;
    },
    authorizations: () => [...authorizations],
    injected: () => [...log],
    injectedCounts: () => {
      const counts: Record<string, number> = {};
      for (const entry of log) counts[entry.label] = (counts[entry.label] ?? 0) + 1;
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
