import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Router } from 'express';

/**
 * The static files under public/: the stylesheet, the small script (countdowns, copy
 * button, security keys; every page but the security key buttons works without it), the
 * favicon, and @simplewebauthn/browser under /assets. Read once at start; served with
 * ETags so a browser revalidates instead of keeping an old copy.
 */
const file = (name: string) => readFileSync(new URL(`../public/${name}`, import.meta.url));

/** @simplewebauthn/browser's one-file build (it defines window.SimpleWebAuthnBrowser), from the installed package. */
const simpleWebAuthnBrowser = () =>
  readFileSync(new URL('../dist/bundle/index.umd.min.js', `file://${createRequire(import.meta.url).resolve('@simplewebauthn/browser')}`));

export function assetRoutes(): Router {
  const r = Router();
  const assets: [path: string, type: string, body: Buffer][] = [
    ['/app.css', 'text/css; charset=utf-8', file('app.css')],
    ['/app.js', 'text/javascript; charset=utf-8', file('app.js')],
    ['/favicon.svg', 'image/svg+xml', file('favicon.svg')],
    ['/favicon.ico', 'image/svg+xml', file('favicon.svg')], // what browsers ask for without a <link rel=icon>
    ['/assets/simplewebauthn-browser.js', 'text/javascript; charset=utf-8', simpleWebAuthnBrowser()], // app.js loads it where a page has a security key button
  ];
  for (const [path, type, body] of assets) {
    r.get(path, (_req, res) => void res.type(type).set('Cache-Control', 'no-cache').send(body));
  }
  return r;
}
