import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One request the fake received, parsed for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v2/Services/VA1/Verifications`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body text. */
  body: string;
  /** Body parsed as application/x-www-form-urlencoded (empty when it is not a form). */
  form: Record<string, string>;
  /** Body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  /** Named segments of the matched route pattern (`/v2/Services/:sid` → { sid }). */
  params: Record<string, string>;
}

/**
 * What the fake answers. `body` objects are sent as JSON. `delayMs` waits (real time)
 * before answering; `neverAnswer` keeps the connection open and silent until the client
 * gives up or the server closes; `reset` destroys the socket without a response;
 * `stallBody` sends the status line, the headers (with the full body's content-length) and
 * the first half of the body, then goes silent: an answer that starts and never finishes.
 */
export type ScriptedResponse =
  | { status?: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  | { stallBody: true; status?: number; headers?: Record<string, string>; body?: unknown }
  | { neverAnswer: true }
  | { reset: true };

/** Answers one recorded request with a scripted response. */
export type RouteHandler = (req: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

/** A scripted HTTP server on 127.0.0.1 standing in for a provider; `startFakeServer()` starts one. */
export interface FakeServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /**
   * Standing behaviour for `method pattern`. Pattern: an exact path with `:name`
   * segments, or a RegExp on the path. Later routes win over earlier ones.
   */
  route(method: string, pattern: string | RegExp, handler: RouteHandler | ScriptedResponse): FakeServer;
  /** Queue one-shot answers; they are used, in order, before the standing route. */
  once(method: string, pattern: string | RegExp, ...responses: ScriptedResponse[]): FakeServer;
  /** Forget queued one-shots and recorded requests (standing routes stay). */
  reset(): void;
  /** Stop listening and drop every open connection (including never-answered ones). */
  close(): Promise<void>;
}

interface Route {
  method: string;
  match: (path: string) => Record<string, string> | null;
  handler: RouteHandler;
}

function compile(pattern: string | RegExp): (path: string) => Record<string, string> | null {
  if (pattern instanceof RegExp) {
    return (path) => {
      const m = pattern.exec(path);
      return m ? { ...(m.groups ?? {}) } : null;
    };
  }
  const parts = pattern.split('/');
  return (path) => {
    const segs = path.split('/');
    if (segs.length !== parts.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      const s = segs[i]!;
      if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(s);
      else if (p !== s) return null;
    }
    return params;
  };
}

function parseBody(body: string, contentType: string | undefined): { form: Record<string, string>; json: unknown } {
  const form: Record<string, string> = {};
  let json: unknown;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) form[k] = v;
  } else if (contentType?.includes('json') && body.length > 0) {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  return { form, json };
}

function send(res: ServerResponse, r: { status?: number; headers?: Record<string, string>; body?: unknown }, stall = false): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  let payload = '';
  if (r.body !== undefined) {
    if (typeof r.body === 'string') payload = r.body;
    else {
      payload = JSON.stringify(r.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
  }
  if (!stall) {
    res.writeHead(r.status ?? 200, headers);
    res.end(payload);
    return;
  }
  // Headers and half the body go out now; the rest never does (close() drops the socket).
  const bytes = Buffer.from(payload.length > 1 ? payload : '{"stalled":true}', 'utf8');
  res.writeHead(r.status ?? 200, { ...headers, 'content-length': String(bytes.length) });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
}

/**
 * A scripted HTTP server on 127.0.0.1 (free port) standing in for a provider. Unknown
 * routes answer 404 `{ "fake": "no route" }` so a wrong URL fails loudly.
 */
export async function startFakeServer(): Promise<FakeServer> {
  const routes: Route[] = [];
  const queues = new Map<string, { match: Route['match']; method: string; items: ScriptedResponse[] }>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const body = Buffer.concat(chunks).toString('utf8');
        const method = (req.method ?? 'GET').toUpperCase();
        const base = {
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          ...parseBody(body, req.headers['content-type']),
        };
        let response: ScriptedResponse | undefined;
        let params: Record<string, string> = {};
        for (const q of queues.values()) {
          if (q.method !== method || q.items.length === 0) continue;
          const p = q.match(url.pathname);
          if (p) {
            params = p;
            response = q.items.shift();
            break;
          }
        }
        const recorded: RecordedRequest = { ...base, params };
        if (!response) {
          for (let i = routes.length - 1; i >= 0; i--) {
            const r = routes[i]!;
            if (r.method !== method) continue;
            const p = r.match(url.pathname);
            if (p) {
              recorded.params = p;
              try {
                response = await r.handler(recorded);
              } catch (e) {
                response = { status: 500, body: { fake: 'handler threw', message: String(e) } };
              }
              break;
            }
          }
        }
        requests.push(recorded);
        response ??= { status: 404, body: { fake: 'no route', method, path: url.pathname } };
        if ('neverAnswer' in response) return; // keep the socket open and silent
        if ('reset' in response) {
          req.socket.destroy();
          return;
        }
        if ('stallBody' in response) {
          send(res, response, true);
          return;
        }
        const r = response;
        if (r.delayMs && r.delayMs > 0) {
          const t = setTimeout(() => {
            timers.delete(t);
            if (!res.destroyed) send(res, r);
          }, r.delayMs);
          timers.add(t);
        } else send(res, r);
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('fake server has no port');
  const port = addr.port;

  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    route(method, pattern, handler) {
      routes.push({
        method: method.toUpperCase(),
        match: compile(pattern),
        handler: typeof handler === 'function' ? handler : () => handler,
      });
      return fake;
    },
    once(method, pattern, ...responses) {
      const key = `${method.toUpperCase()} ${String(pattern)}`;
      const q = queues.get(key);
      if (q) q.items.push(...responses);
      else queues.set(key, { method: method.toUpperCase(), match: compile(pattern), items: [...responses] });
      return fake;
    },
    reset() {
      queues.clear();
      requests.length = 0;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
