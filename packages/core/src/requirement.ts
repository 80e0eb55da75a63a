import { TwoFactorError } from './errors.js';
import { optionsObject } from './validate.js';

/** Options for required 2FA (`createTwoFactor({ requirement })`). */
export interface RequirementOptions {
  /** How long a user who must use 2FA may go without it, from the first time the app said so. Default 14 days. */
  graceSeconds?: number;
  /**
   * What an overdue user may do: 'enroll' (sign in with the password only, to enroll at
   * once: the app sends them straight to enrollment) or 'refuse' (no sign-in; support
   * must help). Default 'enroll'.
   */
  overdue?: 'enroll' | 'refuse';
}

/** Where a user stands with required 2FA. */
export type Requirement =
  | { state: 'not_required' }
  | { state: 'enrolled' }
  | { state: 'grace'; since: number; until: number }
  | { state: 'overdue'; since: number; until: number; mayEnroll: boolean };

export interface ResolvedRequirement {
  graceMs: number;
  overdue: 'enroll' | 'refuse';
}

export function resolveRequirement(input: RequirementOptions | undefined): ResolvedRequirement {
  const o = optionsObject(input, 'requirement', 'config_invalid');
  const grace = o.graceSeconds ?? 14 * 86_400;
  if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > 365 * 86_400) {
    throw new TwoFactorError('config_invalid', { message: 'requirement.graceSeconds must be 0–31536000.' });
  }
  const overdue = o.overdue ?? 'enroll';
  if (overdue !== 'enroll' && overdue !== 'refuse') throw new TwoFactorError('config_invalid', { message: 'requirement.overdue must be "enroll" or "refuse".' });
  return { graceMs: grace * 1000, overdue };
}

/** What the store keeps per required user, in the record `req`. */
export interface RequirementRecord {
  /** When the app first said the user must use 2FA, epoch ms. */
  since: number;
  /** Set once the 'requirement.overdue' event went out. */
  overdueAt?: number;
}
