// A few lines of what Next.js does with app/**/route.ts: the file's folder is the path, its
// exported GET/POST take a standard Request and return a Response. Enough to drive the route
// handlers over HTTP on 127.0.0.1 without installing Next.js.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Handler = (request: Request) => Promise<Response>;

/** Every route.ts under `appDir`, by URL path: `app/api/2fa/verify/route.ts` → `/api/2fa/verify`. */
export async function loadRoutes(appDir: string): Promise<Map<string, Record<string, Handler>>> {
  const files = readdirSync(appDir, { recursive: true, encoding: 'utf8' }).filter((f) => f === 'route.ts' || f.endsWith(`${sep}route.ts`));
  const routes = new Map<string, Record<string, Handler>>();
  for (const f of files) routes.set(`/${relative(appDir, join(appDir, f, '..')).split(sep).join('/')}`, await import(pathToFileURL(join(appDir, f)).href));
  return routes;
}

export async function serveRoutes(appDir = fileURLToPath(new URL('../src/app/', import.meta.url))): Promise<{ url: string; routes: string[]; close(): Promise<void> }> {
  const routes = await loadRoutes(appDir);
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const handler = routes.get(url.pathname)?.[req.method ?? 'GET'];
    if (!handler) return void res.writeHead(routes.has(url.pathname) ? 405 : 404).end();
    const headers = Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : []));
    const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
    const response = await handler(new Request(url, { method: req.method, headers, ...(body ? { body } : {}) }));
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes: [...routes.keys()].sort(),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
