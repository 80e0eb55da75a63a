import { Router, type NextFunction, type Request, type Response } from 'express';
import { field, page, type AppDeps } from '../deps.js';
import { describeError, describeFailure } from '../messages.js';
import { rememberDevice } from '../remember.js';
import { fieldError, redirectWith, type OpenChallenge } from '../session.js';
import { challengeView } from '../views/challenge.js';
import { activeMethods, completeLogin } from './auth.js';

/** How long a password stays good for finishing the second step. */
const PENDING_MS = 10 * 60 * 1000;

export function challengeRoutes(deps: AppDeps, phoneChannels: readonly string[]): Router {
  const r = Router();
  // The last phone code sent per user, so a code still works after the tab was closed and
  // the user logged in again within the resend cooldown. (A real app keeps this in its
  // session store; the id is useless without the code and a password-checked session.)
  const sentTo = new Map<string, OpenChallenge>();
  const lastSent = (userId: string) => {
    const c = sentTo.get(userId);
    if (c && c.expiresAt <= deps.clock.now()) sentTo.delete(userId);
    return sentTo.get(userId);
  };

  // Only a session whose password was just accepted may answer a challenge.
  const pendingUser = (req: Request, res: Response, next: NextFunction): void => {
    const p = req.session.data.pending;
    if (!p || deps.clock.now() - p.since > PENDING_MS) {
      delete req.session.data.pending;
      return redirectWith(req, res, '/login', 'error', 'Please log in again.');
    }
    res.locals.pendingUserId = p.userId;
    next();
  };

  r.get('/challenge', pendingUser, async (req, res) => {
    const userId = res.locals.pendingUserId as string;
    const methods = await activeMethods(deps, userId);
    if (methods.length === 0) return completeLogin(deps, req, res, userId);
    const asked = typeof req.query.method === 'string' ? req.query.method : '';
    const current = methods.includes(asked) ? asked : methods[0]!;
    const sent = lastSent(userId);
    const lockedUntil = deps.lockouts.lockedUntil(userId);
    // While locked, the lock notice says it all: the wrong code that started it is not repeated.
    const error = lockedUntil === undefined ? fieldError(req) : (delete req.session.data.flash, undefined);
    page(deps, req, res, 'Two-step sign-in', challengeView({
      csrf: req.session.data.csrf, methods, current, phoneChannels, now: deps.clock.now(),
      ...(sent ? { sent } : {}), ...(lockedUntil !== undefined ? { lockedUntil } : {}), ...(error ? { error } : {}),
    }));
  });

  // Sends (or re-sends) a phone code. The SDK enforces the cooldown and send limits.
  r.post('/challenge/send', pendingUser, async (req, res) => {
    const userId = res.locals.pendingUserId as string;
    const channel = phoneChannels.includes(field(req, 'channel')) ? field(req, 'channel') : phoneChannels[0];
    // No text costs money while no code can be checked.
    if (deps.lockouts.lockedUntil(userId) !== undefined) return res.redirect(303, '/challenge?method=phone');
    try {
      const ch = await deps.twofa.challenge(userId, { method: 'phone', ...(channel ? { channel: channel as 'sms' } : {}) });
      sentTo.set(userId, {
        id: ch.id, method: ch.method, expiresAt: ch.expiresAt,
        ...(ch.channel ? { channel: ch.channel } : {}),
        ...(ch.destination ? { destination: ch.destination } : {}),
        ...(ch.resendAt !== undefined ? { resendAt: ch.resendAt } : {}),
      });
      res.redirect(303, '/challenge?method=phone');
    } catch (e) {
      deps.lockouts.noteFrom(userId, e);
      deps.log(`challenge send failed user=${userId} code=${(e as { code?: string }).code ?? 'unknown'}`);
      redirectWith(req, res, '/challenge?method=phone', 'error', describeError(e, deps.clock.now()));
    }
  });

  r.post('/challenge/verify', pendingUser, async (req, res) => {
    const userId = res.locals.pendingUserId as string;
    const method = field(req, 'method');
    const code = field(req, 'code').slice(0, 64);
    const back = `/challenge?method=${encodeURIComponent(method)}`;
    const open = lastSent(userId);
    try {
      let result;
      if (method === 'phone') {
        if (!open || open.method !== 'phone') return redirectWith(req, res, back, 'error', 'Ask for a code first.');
        result = await deps.twofa.verify(userId, { challengeId: open.id, code });
      } else if (method === 'totp' || method === 'recovery') {
        result = await deps.twofa.verify(userId, { method, code });
      } else {
        return redirectWith(req, res, '/challenge', 'error', 'Choose a method.');
      }
      if (!result.ok) {
        if (method === 'phone' && result.error !== 'invalid_code' && result.error !== 'locked') sentTo.delete(userId); // that code is dead
        deps.lockouts.noteFrom(userId, result);
        deps.log(`2fa failed user=${userId} method=${method} error=${result.error}`);
        return redirectWith(req, res, back, 'error', describeFailure(result, deps.clock.now()), 'code');
      }
      sentTo.delete(userId);
      deps.lockouts.clear(userId);
      if (field(req, 'remember') === '1') await rememberDevice(deps, req, res, userId);
      completeLogin(deps, req, res, userId, { secondFactor: true });
    } catch (e) {
      deps.log(`2fa error user=${userId} method=${method} code=${(e as { code?: string }).code ?? 'unknown'}`);
      redirectWith(req, res, back, 'error', describeError(e, deps.clock.now()));
    }
  });

  return r;
}
