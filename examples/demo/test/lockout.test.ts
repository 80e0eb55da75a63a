import { describe, expect, it } from 'vitest';
import { TwoFactorError, type ErrorCode } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { Lockouts } from '../src/lockout.js';
import { describeError } from '../src/messages.js';

// What the challenge page knows about a lockout comes from three places twofa reports it.
describe('Lockouts', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const at = (min: number) => clock.now() + min * 60_000;

  it("takes a verify() result with error 'locked' and its retryAt, and forgets it when the time is up", () => {
    const l = new Lockouts(clock);
    l.noteFrom('u1', { ok: false, error: 'invalid_code', attemptsLeft: 2 });
    expect(l.lockedUntil('u1')).toBeUndefined();
    l.noteFrom('u1', { ok: false, error: 'locked', attemptsLeft: 0, retryAt: at(10) });
    expect(l.lockedUntil('u1')).toBe(at(10));
    clock.advance(10 * 60_000);
    expect(l.lockedUntil('u1')).toBeUndefined();
  });

  it("takes a TwoFactorError('locked') from challenge() (the code core is adding), and no other error", () => {
    const l = new Lockouts(clock);
    l.noteFrom('u2', new TwoFactorError('resend_cooldown', { retryAt: at(3) }));
    expect(l.lockedUntil('u2')).toBeUndefined();
    const locked = new TwoFactorError('locked' as ErrorCode, { retryAt: at(7) });
    l.noteFrom('u2', locked);
    expect(l.lockedUntil('u2')).toBe(at(7));
    expect(describeError(locked, clock.now())).toMatch(/^Too many wrong codes\. Two-step sign-in is locked for 7 minutes \(until \d\d:\d\d UTC\)\.$/);
  });

  it('keeps the later of two lockouts, and clears on a successful verify', () => {
    const l = new Lockouts(clock);
    l.note('u3', at(10));
    l.note('u3', at(5));
    expect(l.lockedUntil('u3')).toBe(at(10));
    l.clear('u3');
    expect(l.lockedUntil('u3')).toBeUndefined();
  });
});
