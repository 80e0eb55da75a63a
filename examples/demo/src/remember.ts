import type { Request, Response } from 'express';
import type { AppDeps } from './deps.js';
import { browserName, type RememberedDevice } from './devices.js';
import { clearCookie, cookieName, readCookie, setCookie } from './cookies.js';

const DAYS = 30;

/**
 * "Remember this device": the cookie holds the device's id and the SDK's signed token
 * ("id.token"), bound to the user and to their security version, so adding or removing a
 * 2FA method revokes it, and so does forgetting the device on the security page.
 */
export async function rememberDevice(deps: AppDeps, req: Request, res: Response, userId: string): Promise<void> {
  const { token, device } = await deps.devices.rememberDevice(userId, { days: DAYS, name: browserName(req.headers['user-agent']) });
  setCookie(res, 'remember', `${device.id}.${token}`, { secure: deps.secureCookies, maxAgeSeconds: DAYS * 86400 });
}

function readRemember(deps: AppDeps, req: Request): { id: string; token: string } | undefined {
  const value = readCookie(req, cookieName('remember', deps.secureCookies)) ?? '';
  const dot = value.indexOf('.');
  return dot > 0 ? { id: value.slice(0, dot), token: value.slice(dot + 1) } : undefined;
}

/** The id of the device this browser was remembered as, if it carries one (not checked). */
export function thisDeviceId(deps: AppDeps, req: Request): string | undefined {
  return readRemember(deps, req)?.id;
}

/** This browser's device when it carries a valid token for this user; a bad one is just forgotten. */
export async function rememberedDevice(deps: AppDeps, req: Request, userId: string): Promise<RememberedDevice | undefined> {
  const c = readRemember(deps, req);
  // A token of another account (shared computer), a forgotten or a revoked one is simply not honoured.
  if (!c || !(await deps.devices.isDeviceRemembered(userId, c.token))) return undefined;
  return (await deps.devices.devices(userId)).find((d) => d.id === c.id);
}

/** Drops this browser's cookie (after "forget this device"). */
export function forgetThisDevice(deps: AppDeps, res: Response): void {
  clearCookie(res, 'remember', deps.secureCookies);
}
