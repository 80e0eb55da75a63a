import type { KeyRing } from './crypto.js';
import { TwoFactorError } from './errors.js';
import type { Policy } from './policy.js';
import type { RateRule, Store } from './store.js';

/** Counter keys in a user's partition. */
export const keys = {
  challengeAttempts: (id: string) => `att:ch:${id}`,
  enrollAttempts: (method: string) => `att:enroll:${method}`,
  failures: 'fail',
  hourly: 'hour',
  cooldown: (purpose: string) => `cooldown:${purpose}`,
  userSends: 'sends',
  challenge: (id: string) => `ch:${id}`,
  recoveryInit: 'recovery:init',
} as const;

/** The user-wide attempt rules every verification counts against, after its own. */
export function userAttemptRules(policy: Policy): RateRule[] {
  return [
    { key: keys.failures, limit: policy.lockoutAfter, windowSeconds: policy.lockoutSeconds, blockSeconds: policy.lockoutSeconds },
    { key: keys.hourly, limit: policy.hourlyMaxAttempts, windowSeconds: 3600 },
  ];
}

/**
 * Toll-fraud guard for one send: resend cooldown and per-user limit, then per destination
 * (keyed hash of the E.164 number, so no number sits in the store), then global. Each
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
  const userRules: RateRule[] = [
    { key: keys.userSends, limit: perUser.max, windowSeconds: perUser.windowSeconds },
  ];
  if (policy.resendAfterSeconds > 0) userRules.unshift({ key: keys.cooldown(purpose), limit: 1, windowSeconds: policy.resendAfterSeconds });
  const steps: [string, RateRule[]][] = [
    [userId, userRules],
    [`dest:${keyRing.hash('destination', destination)}`, [{ key: 'sends', limit: perDestination.max, windowSeconds: perDestination.windowSeconds }]],
    ['global', [{ key: 'sends', limit: global.max, windowSeconds: global.windowSeconds }]],
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
