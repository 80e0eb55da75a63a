import { TwoFactorError } from './errors.js';

/** At most `max` sends per `windowSeconds`. */
export interface SendLimit {
  /** Sends allowed in the window. */
  max: number;
  windowSeconds: number;
}

/** The limits core enforces for every method and verifier. Defaults in `defaultPolicy`. */
export interface Policy {
  /** Wrong codes allowed per challenge (and per pending enrollment). */
  maxAttempts: number;
  /** Consecutive failures per user before a lockout. */
  lockoutAfter: number;
  /** How long a lockout lasts. */
  lockoutSeconds: number;
  /** Long-window cap on verification attempts per user, since backoff alone lets slow guessing through. */
  hourlyMaxAttempts: number;
  /**
   * Failed attempts in a row, across any time, after which the user's primary methods are
   * suspended until a recovery code is used or `unlock()` is called (NIST SP 800-63B
   * §5.2.2 caps this at 100). Recovery codes count their own run against the same cap.
   */
  maxConsecutiveFailures: number;
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

/** The limits twofa applies unless `createTwoFactor({ policy })` changes them (docs/policies.md). */
export const defaultPolicy: Policy = Object.freeze({
  maxAttempts: 5,
  lockoutAfter: 5,
  lockoutSeconds: 600,
  hourlyMaxAttempts: 20,
  maxConsecutiveFailures: 100,
  resendAfterSeconds: 180,
  challengeTtlSeconds: 600,
  sendLimits: Object.freeze({
    perDestination: Object.freeze({ max: 5, windowSeconds: 3600 }),
    perUser: Object.freeze({ max: 10, windowSeconds: 3600 }),
    global: Object.freeze({ max: 1000, windowSeconds: 3600 }),
  }),
}) as Policy;

/** Overrides, merged deeply into the defaults: `{ sendLimits: { perDestination: { max: 3 } } }` keeps the default window. */
export type PolicyInput = Partial<Omit<Policy, 'sendLimits'>> & {
  sendLimits?: { [K in keyof Policy['sendLimits']]?: Partial<SendLimit> };
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function resolvePolicy(input: PolicyInput | undefined = {}): Policy {
  if (!isObject(input)) throw new TwoFactorError('config_invalid', { message: 'policy must be an object.' });
  if (input.sendLimits !== undefined && !isObject(input.sendLimits)) {
    throw new TwoFactorError('config_invalid', { message: 'policy.sendLimits must be an object.' });
  }
  const known = new Set([...Object.keys(defaultPolicy)]);
  for (const k of Object.keys(input)) {
    if (!known.has(k)) throw new TwoFactorError('config_invalid', { message: `policy.${k} is not a policy setting.` });
  }
  const limits = {} as Policy['sendLimits'];
  for (const name of Object.keys(defaultPolicy.sendLimits) as (keyof Policy['sendLimits'])[]) {
    const given: unknown = input.sendLimits?.[name];
    if (given !== undefined && !isObject(given)) throw new TwoFactorError('config_invalid', { message: `policy.sendLimits.${name} must be an object.` });
    limits[name] = { ...defaultPolicy.sendLimits[name], ...(given as Partial<SendLimit> | undefined) };
  }
  for (const k of Object.keys(input.sendLimits ?? {})) {
    if (!(k in limits)) throw new TwoFactorError('config_invalid', { message: `policy.sendLimits.${k} is not a send limit.` });
  }
  const p: Policy = { ...defaultPolicy, ...input, sendLimits: limits };
  const positive = (name: string, v: unknown, allowZero = false) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
      throw new TwoFactorError('config_invalid', { message: `policy.${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer.` });
    }
  };
  positive('maxAttempts', p.maxAttempts);
  positive('lockoutAfter', p.lockoutAfter);
  positive('lockoutSeconds', p.lockoutSeconds);
  positive('hourlyMaxAttempts', p.hourlyMaxAttempts);
  positive('maxConsecutiveFailures', p.maxConsecutiveFailures);
  positive('resendAfterSeconds', p.resendAfterSeconds, true);
  positive('challengeTtlSeconds', p.challengeTtlSeconds);
  for (const [k, l] of Object.entries(p.sendLimits)) {
    positive(`sendLimits.${k}.max`, l.max);
    positive(`sendLimits.${k}.windowSeconds`, l.windowSeconds);
  }
  return p;
}
