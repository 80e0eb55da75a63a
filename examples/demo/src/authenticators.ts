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
