import type { NextFunction, Request, Response } from 'express';
import type { Clock, TwoFactor } from '@twofa/core';
import type { DevicesApi } from './devices.js';
import type { Lockouts } from './lockout.js';
import type { Outbox } from './outbox.js';
import type { Sessions } from './session.js';
import type { LoginThrottle } from './throttle.js';
import type { User, Users } from './users.js';
import { takeFlash } from './session.js';
import { layout } from './views/layout.js';
import type { SafeHtml } from './views/html.js';

/** Everything the routes share. Built once in app.ts. */
export interface AppDeps {
  twofa: TwoFactor;
  /** Remembered devices: core's API (the same object as twofa). */
  devices: DevicesApi;
  users: Users;
  loginThrottle: LoginThrottle;
  lockouts: Lockouts;
  sessions: Sessions;
  clock: Clock;
  /** Present only in development with the console sender. */
  outbox?: Outbox;
  secureCookies: boolean;
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
  res.status(status).type('html').send(
    layout({ title, csrf: req.session.data.csrf, dev: deps.outbox !== undefined, ...(user ? { user: user.email } : {}), ...(flash ? { flash: { kind: flash.kind, text: flash.text } } : {}) }, body),
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
