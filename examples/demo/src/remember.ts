import type { Request, Response } from 'express';
import type { AppDeps } from './deps.js';
import { clearCookie, cookieName, readCookie, setCookie } from './cookies.js';

const DAYS = 30;

/**
 * "Remember this device": the cookie holds the SDK's signed token, bound to the user and
 * to their security version, so adding or removing a 2FA method revokes it.
 */
export async function rememberDevice(deps: AppDeps, res: Response, userId: string): Promise<void> {
  const token = await deps.twofa.rememberDevice(userId, { days: DAYS });
  setCookie(res, 'remember', token, { secure: deps.secureCookies, maxAgeSeconds: DAYS * 86400 });
}

/** True when this browser carries a valid token for this user; a bad one is just forgotten. */
export async function isRemembered(deps: AppDeps, req: Request, userId: string): Promise<boolean> {
  const token = readCookie(req, cookieName('remember', deps.secureCookies));
  if (!token) return false;
  // A token of another account (shared computer) or a revoked one is simply not honoured.
  return deps.twofa.isDeviceRemembered(userId, token);
}

/** Forget this device (e.g. from a "sign out everywhere" button). */
export function forgetDevice(deps: AppDeps, res: Response): void {
  clearCookie(res, 'remember', deps.secureCookies);
}
