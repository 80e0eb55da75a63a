import type { Clock } from '@twofa/core';

/**
 * Failed password attempts per account: after `max` failures in `windowMs` the account's
 * password step pauses until the window ends. twofa guards the second step; the first is
 * the app's job. (Per process; a real app keeps this in Redis or its database.)
 */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly clock: Clock, private readonly max = 10, private readonly windowMs = 15 * 60_000) {}

  /** When the account may try again, or undefined if it may now. */
  blockedUntil(key: string): number | undefined {
    const f = this.current(key);
    return f && f.count >= this.max ? f.resetAt : undefined;
  }

  fail(key: string): void {
    const now = this.clock.now();
    const f = this.current(key) ?? { count: 0, resetAt: now + this.windowMs };
    f.count += 1;
    this.failures.set(key, f);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private current(key: string) {
    const f = this.failures.get(key);
    if (f && f.resetAt <= this.clock.now()) this.failures.delete(key);
    return this.failures.get(key);
  }
}
