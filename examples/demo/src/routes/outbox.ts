import { Router } from 'express';
import { page, type AppDeps } from '../deps.js';
import type { Outbox } from '../outbox.js';
import { outboxView } from '../views/outbox.js';

/** Development only (app.ts mounts it only with the console sender). */
export function outboxRoutes(deps: AppDeps, outbox: Outbox): Router {
  const r = Router();
  r.get('/dev/outbox', (req, res) => page(deps, req, res, 'Outbox', outboxView(outbox.entries)));
  return r;
}
