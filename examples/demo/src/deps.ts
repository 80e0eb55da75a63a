import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '@twofa/core';
import type { DemoTwoFactor } from './twofa.js';
import type { DevicesApi } from './devices.js';
import type { Lockouts } from './lockout.js';
import type { OpenChallenges } from './open-challenges.js';
import type { Outbox } from './outbox.js';
import { isAdmin, requirementOf } from './requirement.js';
import type { Sessions } from './session.js';
import type { LoginThrottle } from './throttle.js';
import type { User, Users } from './users.js';
import { takeFlash } from './session.js';
import { requirementBanner } from './views/banner.js';
import { layout } from './views/layout.js';
import type { SafeHtml } from './views/html.js';

/** Everything the routes share. Built once in app.ts. */
export interface AppDeps {
  twofa: DemoTwoFactor;
  /** Remembered devices: core's API (the same object as twofa). */
  devices: DevicesApi;
  users: Users;
  loginThrottle: LoginThrottle;
  lockouts: Lockouts;
  /** The last code sent per user and method (login and step-up pages alike). */
  challenges: OpenChallenges;
  sessions: Sessions;
  clock: Clock;
  /** Present only in development with the console sender. */
  outbox?: Outbox;
  secureCookies: boolean;
  /** TWOFA_REQUIRED_EMAILS: accounts that must use 2FA. */
  requiredEmails: readonly string[];
  /** TWOFA_ADMIN_EMAILS: accounts that may open /admin. */
  adminEmails: readonly string[];
  /** The origins security keys are bound to (WEBAUTHN_ORIGINS, or http://localhost:<port>); empty when they are off. */
  keyOrigins: readonly string[];
  /** App log: never given a code, a secret or a full phone number. */
  log: (line: string) => void;
}

/**
 * Renders a page in the layout, consuming the flash message. An error about an input that
 * the body shows at that input is not repeated above the page.
 */
export function page(deps: AppDeps, req: Request, res: Response, title: string, body: SafeHtml, status = 200): void {
  const user = req.session.data.userId ? deps.users.get(req.session.data.userId) : undefined;
  let flash = takeFlash(req);
  if (flash?.field && body.value.includes(`id="${flash.field}-error"`)) flash = undefined;
  const requirement = requirementOf(res);
  const banner = requirement && requirementBanner(requirement, req.path);
  res.status(status).type('html').send(
    layout({
      title, csrf: req.session.data.csrf, dev: deps.outbox !== undefined, admin: isAdmin(deps, user),
      ...(user ? { user: user.email } : {}), ...(flash ? { flash: { kind: flash.kind, text: flash.text } } : {}), ...(banner ? { banner } : {}),
    }, body),
  );
}

/** The signed-in user, or a redirect to the login page. */
export function requireUser(deps: AppDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const user = req.session.data.userId ? deps.users.get(req.session.data.userId) : undefined;
    if (!user) return void res.redirect(303, '/login');
    res.locals.user = user;
    next();
  };
}

export function currentUser(res: Response): User {
  return res.locals.user as User;
}

/** Form fields arrive as strings or not at all. */
export function field(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/** A form field holding JSON (a security key's answer, which app.js puts there), parsed; undefined unless it is an object. */
export function jsonField(req: Request, name: string): object | undefined {
  try {
    const v: unknown = JSON.parse(field(req, name));
    return v !== null && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}
