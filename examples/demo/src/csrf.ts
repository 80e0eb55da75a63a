import type { NextFunction, Request, Response } from 'express';
import { safeEqual } from '@twofa/core/adapter';

/**
 * CSRF protection for every state-changing request: a per-session synchronizer token in
 * a hidden field, compared in constant time, plus an Origin check when the browser sends
 * one. SameSite=Lax on the session cookie is a third layer, not the only one.
 */
export function csrfProtection() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && hostOf(origin) !== req.headers.host) {
      res.status(403).type('text/plain').send('Cross-site request refused.');
      return;
    }
    const sent = typeof req.body?._csrf === 'string' ? req.body._csrf : '';
    if (!sent || !safeEqual(sent, req.session.data.csrf)) {
      res.status(403).type('text/plain').send('This form expired or did not come from this site. Go back, reload and try again.');
      return;
    }
    next();
  };
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
