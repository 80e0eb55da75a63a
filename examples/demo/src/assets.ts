import { readFileSync } from 'node:fs';
import { Router } from 'express';

/**
 * The static files under public/: the stylesheet, the small script (countdowns, copy
 * button; every page works without it) and the favicon. Read once at start; served with
 * ETags so a browser revalidates instead of keeping an old copy.
 */
const file = (name: string) => readFileSync(new URL(`../public/${name}`, import.meta.url));

export function assetRoutes(): Router {
  const r = Router();
  const assets: [path: string, type: string, body: Buffer][] = [
    ['/app.css', 'text/css; charset=utf-8', file('app.css')],
    ['/app.js', 'text/javascript; charset=utf-8', file('app.js')],
    ['/favicon.svg', 'image/svg+xml', file('favicon.svg')],
    ['/favicon.ico', 'image/svg+xml', file('favicon.svg')], // what browsers ask for without a <link rel=icon>
  ];
  for (const [path, type, body] of assets) {
    r.get(path, (_req, res) => void res.type(type).set('Cache-Control', 'no-cache').send(body));
  }
  return r;
}
