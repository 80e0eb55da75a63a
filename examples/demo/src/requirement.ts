import type { NextFunction, Request, Response } from 'express';
import type { Requirement } from '@twofa/core';
import type { AppDeps } from './deps.js';
import { redirectWith } from './session.js';
import type { User } from './users.js';

/** Why an account must use 2FA, or undefined when it need not. */
export type RequiredBy = 'list' | 'admin';

/** The app's rule: listed in TWOFA_REQUIRED_EMAILS, or marked by an admin. */
export function requirementFor(deps: AppDeps, user: User): RequiredBy | undefined {
  if (deps.requiredEmails.includes(user.email)) return 'list';
  return user.required ? 'admin' : undefined;
}

export function isAdmin(deps: AppDeps, user: User | undefined): boolean {
  return user !== undefined && deps.adminEmails.includes(user.email);
}

/**
 * What an account that is overdue may still do: set up a method (and confirm it, and see
 * the recovery codes that come with it), read the dev outbox for the code, log out.
 */
const ENROLLING = /^\/(security(\/(totp|webauthn|phone|email)(\/confirm)?|\/cancel|\/recovery-codes)?|logout|dev\/outbox)$/;

/**
 * For a signed-in account that must use 2FA, asks twofa where it stands at each request (an
 * admin may have just required it): `res.locals.requirement` gives the pages their banner
 * (the date a grace period ends), and an overdue account is kept on the enrollment pages.
 */
export function requirementGate(deps: AppDeps) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const id = req.session.data.userId;
    const user = id ? deps.users.get(id) : undefined;
    if (!user || requirementFor(deps, user) === undefined) return next();
    const r = await deps.twofa.requirement(user.id, { required: true });
    res.locals.requirement = r;
    if (r.state === 'overdue' && !ENROLLING.test(req.path)) {
      return redirectWith(req, res, '/security', 'error', 'Set up two-step sign-in first: your account must use it.');
    }
    next();
  };
}

/** The requirement the gate found for this request, if the account must use 2FA. */
export const requirementOf = (res: Response): Requirement | undefined => res.locals.requirement as Requirement | undefined;
