import type { Request } from 'express';
import type { AuthenticatorInfo } from '@twofa/core';
import type { AppDeps } from './deps.js';

/** The user's active authenticators, in twofa's order: apps, phones, email addresses, then recovery codes. */
export async function activeAuthenticators(deps: AppDeps, userId: string): Promise<AuthenticatorInfo[]> {
  return (await deps.twofa.methods(userId)).filter((a) => a.status === 'active');
}

/** Whether two-step sign-in is on: an active authenticator that is not a backup. */
export async function hasSecondFactor(deps: AppDeps, userId: string): Promise<boolean> {
  return (await activeAuthenticators(deps, userId)).some((a) => !a.isBackup);
}

/**
 * Where security keys work, when it is not this page's address: a browser binds a key to the
 * host name it was registered on, and refuses the ceremony elsewhere (an IP address, say).
 */
export function keysElsewhereFor(deps: AppDeps, req: Request): string | undefined {
  // By host only: behind a TLS proxy the app itself sees http.
  const here = req.headers.host ?? '';
  return deps.keyOrigins.length && !deps.keyOrigins.some((o) => new URL(o).host === here) ? deps.keyOrigins[0] : undefined;
}

/** The user's choices on a second-factor page: one per authenticator, but one for all security keys (a challenge offers them all). */
export function choicesOf(list: AuthenticatorInfo[]): AuthenticatorInfo[] {
  const firstKey = list.find((a) => a.method === 'webauthn');
  return list.filter((a) => a.method !== 'webauthn' || a === firstKey);
}
