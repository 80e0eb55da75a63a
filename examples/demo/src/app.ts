import express, { type NextFunction, type Request, type Response } from 'express';
import { assetRoutes } from './assets.js';
import { csrfProtection } from './csrf.js';
import { page, type AppDeps } from './deps.js';
import { requirementGate } from './requirement.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { outboxRoutes } from './routes/outbox.js';
import { securityRoutes } from './routes/security.js';
import { stepUpRoutes } from './step-up.js';
import { html } from './views/html.js';

/** The Express app: middleware order matters (headers, session, body, CSRF, required 2FA, routes). */
export function createApp(deps: AppDeps, phoneChannels: readonly string[]): express.Express {
  const app = express();
  app.disable('x-powered-by');

  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store', // pages show secrets and recovery codes
      ...(deps.secureCookies ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
    });
    next();
  });
  app.use(assetRoutes());

  app.use(deps.sessions.middleware());
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(csrfProtection());
  app.use(requirementGate(deps));

  app.use(authRoutes(deps, phoneChannels));
  app.use(stepUpRoutes(deps, phoneChannels));
  app.use(securityRoutes(deps, phoneChannels));
  app.use(adminRoutes(deps));
  if (deps.outbox) app.use(outboxRoutes(deps, deps.outbox));

  app.use((req, res) => page(deps, req, res, 'Not found', html`<p>There is no such page. <a href="/">Home</a></p>`, 404));
  // Log the error's kind only: messages could carry input.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { name?: string; code?: string; status?: number };
    deps.log(`error ${e.name ?? 'Error'}${e.code ? ` code=${e.code}` : ''} on ${req.method} ${req.path}`);
    const status = e.status && e.status >= 400 && e.status < 500 ? e.status : 500;
    res.status(status).type('text/plain').send(status === 500 ? 'Something went wrong on our side.' : 'Bad request.');
  });
  return app;
}
