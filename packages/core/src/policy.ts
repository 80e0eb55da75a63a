import { TwoFactorError } from './errors.js';

export interface SendLimit {
  /** Sends allowed in the window. */
  max: number;
  windowSeconds: number;
}

/** The limits core enforces for every Interface and Verifier. Defaults in `defaultPolicy`. */
export interface Policy {
  /** Wrong codes allowed per challenge (and per pending enrollment). */
  maxAttempts: number;
  /** Consecutive failures per user before a lockout. */
  lockoutAfter: number;
  /** How long a lockout lasts. */
  lockoutSeconds: number;
  /** Long-window cap on verification attempts per user, since backoff alone lets slow guessing through. */
  hourlyMaxAttempts: number;
  /** Minimum time between two codes sent for the same user and method. */
  resendAfterSeconds: number;
  /** How long a challenge without a provider expiry stays open (TOTP, recovery). */
  challengeTtlSeconds: number;
  sendLimits: {
    perDestination: SendLimit;
    perUser: SendLimit;
    global: SendLimit;
  };
}

export const defaultPolicy: Policy = Object.freeze({
  maxAttempts: 5,
  lockoutAfter: 5,
  lockoutSeconds: 600,
  hourlyMaxAttempts: 20,
  resendAfterSeconds: 180,
  challengeTtlSeconds: 600,
  sendLimits: Object.freeze({
    perDestination: Object.freeze({ max: 5, windowSeconds: 3600 }),
    perUser: Object.freeze({ max: 10, windowSeconds: 3600 }),
    global: Object.freeze({ max: 1000, windowSeconds: 3600 }),
  }),
}) as Policy;

export type PolicyInput = Partial<Omit<Policy, 'sendLimits'>> & { sendLimits?: Partial<Policy['sendLimits']> };

export function resolvePolicy(input: PolicyInput = {}): Policy {
  const p: Policy = {
    ...defaultPolicy,
    ...input,
    sendLimits: { ...defaultPolicy.sendLimits, ...input.sendLimits },
  };
  const positive = (name: string, v: unknown, allowZero = false) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
      throw new TwoFactorError('config_invalid', { message: `policy.${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer.` });
    }
  };
  positive('maxAttempts', p.maxAttempts);
  positive('lockoutAfter', p.lockoutAfter);
  positive('lockoutSeconds', p.lockoutSeconds);
  positive('hourlyMaxAttempts', p.hourlyMaxAttempts);
  positive('resendAfterSeconds', p.resendAfterSeconds, true);
  positive('challengeTtlSeconds', p.challengeTtlSeconds);
  for (const [k, l] of Object.entries(p.sendLimits)) {
    positive(`sendLimits.${k}.max`, l?.max);
    positive(`sendLimits.${k}.windowSeconds`, l?.windowSeconds);
  }
  return p;
}
