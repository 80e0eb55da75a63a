import type { KeyRing } from './crypto.js';
import { TwoFactorError } from './errors.js';
import type { Policy } from './policy.js';
import type { CounterState, RateRule, Store } from './store.js';

/** Counter and record keys inside a user's partition. */
export const keys = {
  challengeAttempts: (challengeId: string) => `att:ch:${challengeId}`,
  enrollAttempts: (authenticatorId: string) => `att:enroll:${authenticatorId}`,
  failures: 'fail',
  hourly: 'hour',
  /** Failed attempts in a row, reset only by a success: primary methods, and backups apart. */
  streak: (role: 'primary' | 'backup') => (role === 'primary' ? 'streak' : 'streak:backup'),
  /** The resend cooldown of one purpose ('phone:challenge') to one destination (by keyed hash). */
  cooldown: (purpose: string, destinationHash: string) => `cooldown:${purpose}:${destinationHash}`,
  userSends: 'sends',
  /** The one open challenge of a method. */
  challenge: (method: string) => `ch:${method}`,
  challengePrefix: 'ch:',
  /** When required 2FA started for the user. */
  requirement: 'req',
  device: (id: string) => `dev:${id}`,
  devicePrefix: 'dev:',
  backupInit: 'backup:init',
} as const;

/**
 * Partitions of the SDK's own state. They start with U+0001, which no user id holds, so a
 * user called "global" has nothing to do with the global send limit.
 */
export const internal = {
  global: '\u0001global',
  destination: (hash: string) => `\u0001dest:${hash}`,
  localVerification: (id: string) => `\u0001lv:${id}`,
} as const;

/** What has no end in time (a failure streak, a requirement's start) lasts 100 years: "never" for a store. */
export const FOREVER_SECONDS = 100 * 365 * 86_400;

/** The user-wide attempt rules every verification counts against, after its own. */
export function userAttemptRules(policy: Policy, role: 'primary' | 'backup'): RateRule[] {
  return [
    { key: keys.failures, limit: policy.lockoutAfter, windowSeconds: policy.lockoutSeconds, blockSeconds: policy.lockoutSeconds },
    { key: keys.hourly, limit: policy.hourlyMaxAttempts, windowSeconds: 3600 },
    { key: keys.streak(role), limit: policy.maxConsecutiveFailures, windowSeconds: FOREVER_SECONDS },
  ];
}

/** What a success resets. */
export const successResets = [keys.failures, keys.streak('primary'), keys.streak('backup')];

/** Counters `lockState` reads, in order. */
export const lockCounters = [keys.failures, keys.hourly, keys.streak('primary'), keys.streak('backup')];

export type LockState =
  | { state: 'open' }
  | { state: 'locked'; until: number; reason: 'failures' | 'hourly_cap' }
  | { state: 'suspended' };

/** Reads the lockout from the counters in `lockCounters` order, for a method of `role`. */
export function lockState(policy: Policy, counters: CounterState[], role: 'primary' | 'backup'): LockState {
  const [fail, hour, streakPrimary, streakBackup] = counters as [CounterState, CounterState, CounterState, CounterState];
  const streak = role === 'primary' ? streakPrimary : streakBackup;
  if (streak.count >= policy.maxConsecutiveFailures) return { state: 'suspended' };
  if (fail.count >= policy.lockoutAfter) return { state: 'locked', until: fail.resetAt, reason: 'failures' };
  if (hour.count >= policy.hourlyMaxAttempts) return { state: 'locked', until: hour.resetAt, reason: 'hourly_cap' };
  return { state: 'open' };
}

/**
 * Toll-fraud guard for one send: resend cooldown and per-user limit, then per destination
 * (keyed hash of the destination, so no number sits in the store), then global. Each
 * partition is one atomic hit; an earlier partition's count stands if a later one refuses,
 * which errs on the side of fewer sends.
 */
export async function guardSend(
  store: Store,
  keyRing: KeyRing,
  policy: Policy,
  userId: string,
  destination: string,
  purpose: string,
  now: number,
): Promise<void> {
  const { perDestination, perUser, global } = policy.sendLimits;
  const dest = keyRing.hash('destination', destination);
  const userRules: RateRule[] = [{ key: keys.userSends, limit: perUser.max, windowSeconds: perUser.windowSeconds }];
  if (policy.resendAfterSeconds > 0) userRules.unshift({ key: keys.cooldown(purpose, dest), limit: 1, windowSeconds: policy.resendAfterSeconds });
  const steps: [string, RateRule[]][] = [
    [userId, userRules],
    [internal.destination(dest), [{ key: 'sends', limit: perDestination.max, windowSeconds: perDestination.windowSeconds }]],
    [internal.global, [{ key: 'sends', limit: global.max, windowSeconds: global.windowSeconds }]],
  ];
  for (const [partition, rules] of steps) {
    const r = await store.hit(partition, rules, now);
    if (r.allowed) continue;
    const blocking = rules.findIndex((rule, i) => r.counts[i]! >= rule.limit);
    const retryAt = r.resetAt[blocking] ?? now;
    const cooldown = partition === userId && rules[blocking]?.key.startsWith('cooldown:');
    throw new TwoFactorError(cooldown ? 'resend_cooldown' : 'send_limit', { retryAt });
  }
}
