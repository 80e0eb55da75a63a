import { isTwoFactorError, type Clock } from '@twofa/core';

/**
 * Until when each user's two-step sign-in is locked, as twofa last said: its `user.locked`
 * event, a verify() result with error 'locked', or challenge() throwing
 * TwoFactorError('locked'). twofa enforces the lockout; this only lets the challenge page
 * say so and disable its form before the user tries. (Per process, like the sessions.)
 */
export class Lockouts {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Records a lockout reported by twofa. */
  note(userId: string, retryAt: number | undefined): void {
    if (retryAt !== undefined && retryAt > this.clock.now()) this.until.set(userId, Math.max(retryAt, this.until.get(userId) ?? 0));
  }

  /** Notes the lockout a twofa result or error carries, if it is one. */
  noteFrom(userId: string, outcome: unknown): void {
    const o = outcome as { error?: unknown; retryAt?: number } | undefined;
    // challenge() throws TwoFactorError('locked') in newer cores; 'locked' is compared as a string so this compiles with both.
    if (isTwoFactorError(outcome) ? String(outcome.code) === 'locked' : o?.error === 'locked') this.note(userId, o?.retryAt);
  }

  /** When the lockout ends, or undefined when the user is not locked. */
  lockedUntil(userId: string): number | undefined {
    const t = this.until.get(userId);
    if (t !== undefined && t <= this.clock.now()) this.until.delete(userId);
    return this.until.get(userId);
  }

  clear(userId: string): void {
    this.until.delete(userId);
  }
}
