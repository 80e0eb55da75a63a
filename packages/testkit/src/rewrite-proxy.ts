import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** A request as the proxy received it, and as it forwards it after `rewrite`. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, e.g. `/v2/verify/abc?x=1`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A proxy that rewrites requests on their way to a mock, recording them; `startRewriteProxy()` starts one. */
export interface RewriteProxy {
  /** `http://127.0.0.1:<port>`: point the client here. */
  readonly url: string;
  readonly port: number;
  /** What reached the proxy (before rewriting), oldest first. */
  readonly received: ProxiedRequest[];
  /** Stops the proxy. */
  close(): Promise<void>;
}

/**
 * A small HTTP proxy on 127.0.0.1 (free port) that rewrites each request before passing
 * it to `target`, and passes the answer back unchanged. For contract tests against a spec
 * with known gaps (a server path Prism ignores, a body encoding the spec predates): the
 * spec file stays as published and the test says, in code, how it bridges the gap.
 */
export async function startRewriteProxy(options: {
  target: string;
  rewrite?: (req: ProxiedRequest) => ProxiedRequest;
}): Promise<RewriteProxy> {
  const target = new URL(options.target);
  const received: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const original: ProxiedRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: req.url ?? '/',
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(original);
      let out: ProxiedRequest;
      try {
        out = options.rewrite ? options.rewrite({ ...original, headers: { ...original.headers } }) : original;
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ proxy: 'rewrite threw', message: String(e) }));
        return;
      }
      const headers: IncomingHttpHeaders = { ...out.headers, host: target.host };
      delete headers['transfer-encoding'];
      headers['content-length'] = String(Buffer.byteLength(out.body));
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: out.method, path: out.path, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ proxy: 'upstream failed', message: e.message }));
      });
      upstream.end(out.body);
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
  if (!addr || typeof addr === 'string') throw new Error('rewrite proxy has no port');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    port: addr.port,
    received,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
