import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AuthenticatorInfo, Channel } from '@twofa/core';
import { activeAuthenticators, choicesOf, keysElsewhereFor } from '../authenticators.js';
import { field, jsonField, page, type AppDeps } from '../deps.js';
import { describeError, describeFailure } from '../messages.js';
import { fieldError, redirectWith } from '../session.js';
import { challengeView } from '../views/challenge.js';
import type { SafeHtml } from '../views/html.js';

/** One page that asks for a second factor: the login challenge, or the step-up before a sensitive action. */
export interface SecondFactorPage {
  /** Where it lives: the page, `${base}/send` and `${base}/verify`. */
  base: string;
  title: string;
  /** The user who is to answer; or undefined after answering the request itself (a redirect). */
  user(req: Request, res: Response): string | undefined;
  intro(req: Request): SafeHtml;
  /** Offer "Remember this device". */
  remember: boolean;
  /** More hidden fields of the code form. */
  hidden?(req: Request): Record<string, string>;
  /** The way out, under the form. */
  cancel(req: Request): SafeHtml;
  /** The user has no active authenticator (any more). */
  none(req: Request, res: Response, userId: string): void;
  /** The code was right: `proof` is twofa.verify's proof of it. */
  verified(req: Request, res: Response, userId: string, proof: string): Promise<void>;
}

/** Methods whose code is sent first (a challenge); the others are typed straight away. */
const SENDS = new Set(['phone', 'email']);

/**
 * The routes of a second-factor page. Each active authenticator is a tab (security keys
 * share one); a phone or an email address gets its code by `twofa.challenge(userId, {
 * authenticatorId })`, security keys their challenge by `{ method: 'webauthn' }`.
 */
export function secondFactorRoutes(deps: AppDeps, phoneChannels: readonly string[], p: SecondFactorPage): Router {
  const r = Router();
  const answering = (req: Request, res: Response, next: NextFunction): void => {
    const userId = p.user(req, res);
    if (userId === undefined) return;
    res.locals.answering = userId;
    next();
  };
  const userOf = (res: Response) => res.locals.answering as string;
  /** The authenticator a link or a form names: by id, else the first of a method (`?method=phone`). */
  const named = (list: AuthenticatorInfo[], id: unknown, method: unknown) =>
    list.find((a) => a.id === id) ?? list.find((a) => a.method === method);
  const back = (a: AuthenticatorInfo | undefined) => (a ? `${p.base}?a=${a.id}` : p.base);

  r.get(p.base, answering, async (req, res) => {
    const userId = userOf(res);
    const choices = choicesOf(await activeAuthenticators(deps, userId));
    if (choices.length === 0) return p.none(req, res, userId);
    const current = named(choices, req.query.a, req.query.method) ?? choices[0]!;
    const keysAt = current.method === 'webauthn' ? keysElsewhereFor(deps, req) : undefined;
    // A security key's challenge costs nothing to open: each view of its tab opens a new one (replacing the last).
    const keyOptions = current.method === 'webauthn' && !keysAt ? await openKeyChallenge(userId) : undefined;
    const sent = deps.challenges.get(userId, current.method);
    const lockedUntil = deps.lockouts.lockedUntil(userId);
    // While locked, the lock notice says it all: the wrong code that started it is not repeated.
    const error = lockedUntil === undefined ? fieldError(req) : (delete req.session.data.flash, undefined);
    page(deps, req, res, p.title, challengeView({
      base: p.base, intro: p.intro(req), csrf: req.session.data.csrf, choices, current, phoneChannels, now: deps.clock.now(), remember: p.remember, cancel: p.cancel(req), hidden: p.hidden?.(req) ?? {},
      ...(sent ? { sent } : {}), ...(lockedUntil !== undefined ? { lockedUntil } : {}), ...(error ? { error } : {}), ...(keyOptions ? { keyOptions } : {}), ...(keysAt ? { keysAt } : {}),
    }));
  });

  /** Opens a challenge for the user's security keys; its options for the browser, or undefined while locked. */
  async function openKeyChallenge(userId: string): Promise<string | undefined> {
    try {
      const ch = await deps.twofa.challenge(userId, { method: 'webauthn' });
      deps.challenges.set(userId, { id: ch.id, method: ch.method, expiresAt: ch.expiresAt });
      return JSON.stringify(ch.options);
    } catch (e) {
      deps.lockouts.noteFrom(userId, e);
      deps.log(`key challenge failed user=${userId} code=${(e as { code?: string }).code ?? 'unknown'}`);
      return undefined;
    }
  }

  // Sends (or re-sends) a code to one phone or address. The SDK enforces the cooldown and send limits.
  r.post(`${p.base}/send`, answering, async (req, res) => {
    const userId = userOf(res);
    const a = named(await activeAuthenticators(deps, userId), field(req, 'authenticatorId'), field(req, 'method'));
    if (!a || !SENDS.has(a.method)) return redirectWith(req, res, back(a), 'error', 'Choose a phone or an email address to send a code to.');
    const asked = field(req, 'channel');
    const channel = a.method === 'phone' ? (phoneChannels.includes(asked) ? asked : phoneChannels[0]) : undefined;
    // No text costs money while no code can be checked.
    if (deps.lockouts.lockedUntil(userId) !== undefined) return res.redirect(303, back(a));
    try {
      const ch = await deps.twofa.challenge(userId, { authenticatorId: a.id, ...(channel ? { channel: channel as Channel } : {}) });
      deps.challenges.set(userId, {
        id: ch.id, method: ch.method, expiresAt: ch.expiresAt,
        ...(ch.authenticatorId ? { authenticatorId: ch.authenticatorId } : {}),
        ...(ch.channel ? { channel: ch.channel } : {}),
        ...(ch.destination ? { destination: ch.destination } : {}),
        ...(ch.resendAt !== undefined ? { resendAt: ch.resendAt } : {}),
      });
      res.redirect(303, back(a));
    } catch (e) {
      deps.lockouts.noteFrom(userId, e);
      deps.log(`challenge send failed user=${userId} code=${(e as { code?: string }).code ?? 'unknown'}`);
      redirectWith(req, res, back(a), 'error', describeError(e, deps.clock.now()));
    }
  });

  r.post(`${p.base}/verify`, answering, async (req, res) => {
    const userId = userOf(res);
    const a = named(await activeAuthenticators(deps, userId), field(req, 'authenticatorId'), field(req, 'method'));
    if (!a) return redirectWith(req, res, p.base, 'error', 'Choose a way to confirm.');
    const code = field(req, 'code').slice(0, 64);
    const key = a.method === 'webauthn';
    const open = SENDS.has(a.method) || key ? deps.challenges.get(userId, a.method) : undefined;
    try {
      let result;
      if (key) {
        const response = jsonField(req, 'response');
        if (!open || !response) return redirectWith(req, res, back(a), 'error', 'Your security key’s answer did not arrive. Try again.');
        result = await deps.twofa.verify(userId, { challengeId: open.id, response });
      } else if (SENDS.has(a.method)) {
        if (!open || open.authenticatorId !== a.id) return redirectWith(req, res, back(a), 'error', 'Ask for a code first.');
        result = await deps.twofa.verify(userId, { challengeId: open.id, code });
      } else {
        // An authenticator app's code is checked against the user's apps; a recovery code against the set.
        result = await deps.twofa.verify(userId, { method: a.method, code });
      }
      if (!result.ok) {
        if (open && (key || (result.error !== 'invalid_code' && result.error !== 'locked'))) deps.challenges.delete(userId, a.method); // that code is dead
        deps.lockouts.noteFrom(userId, result);
        deps.log(`2fa failed user=${userId} method=${a.method} error=${result.error}`);
        return redirectWith(req, res, back(a), 'error', describeFailure(result, deps.clock.now(), key), key ? undefined : 'code');
      }
      deps.challenges.delete(userId, a.method);
      deps.lockouts.clear(userId);
      await p.verified(req, res, userId, result.proof);
    } catch (e) {
      deps.log(`2fa error user=${userId} method=${a.method} code=${(e as { code?: string }).code ?? 'unknown'}`);
      redirectWith(req, res, back(a), 'error', describeError(e, deps.clock.now()));
    }
  });

  return r;
}
