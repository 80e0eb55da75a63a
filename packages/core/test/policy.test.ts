import { describe, expect, it } from 'vitest';
import { setup, withTotp } from './helpers.js';

async function withPhone(ctx: ReturnType<typeof setup>, userId = 'u1', phoneNumber = '+14155550123') {
  await ctx.twofa.enroll(userId, 'phone', { phoneNumber });
  const r = await ctx.twofa.confirmEnrollment(userId, 'phone', ctx.lastCode());
  if (!r.ok) throw new Error('phone enrollment failed');
}

describe('attempt limits and lockout', () => {
  it('five wrong codes lock the user for 600 s; the right code is refused while locked, accepted after', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    const ch = await ctx.twofa.challenge('u1');
    const start = ctx.clock.now();
    const lefts = [];
    for (let i = 0; i < 5; i++) {
      const r = await ctx.twofa.verify('u1', { challengeId: ch.id, code: '000000' });
      expect(r.ok).toBe(false);
      if (!r.ok) lefts.push(r.attemptsLeft);
    }
    expect(lefts).toEqual([4, 3, 2, 1, 0]);
    const locked = await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) });
    expect(locked).toEqual({ ok: false, error: 'locked', attemptsLeft: 0, retryAt: start + 600_000 });
    expect(ctx.events.filter((e) => e.name === 'user.locked')).toHaveLength(1);
    ctx.clock.advanceSeconds(599);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).ok).toBe(false);
    ctx.clock.advanceSeconds(1);
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).toEqual({ ok: true, method: 'totp' });
  });

  it('a success resets the consecutive-failure count', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    for (let i = 0; i < 4; i++) await ctx.twofa.verify('u1', { method: 'totp', code: '000000' });
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).ok).toBe(true);
    const r = await ctx.twofa.verify('u1', { method: 'totp', code: '000000' });
    expect(r).toMatchObject({ ok: false, error: 'invalid_code', attemptsLeft: 4 });
  });

  it('caps attempts per hour, so slow guessing between lockouts stops too', async () => {
    const ctx = setup({ policy: { lockoutAfter: 5, lockoutSeconds: 60, hourlyMaxAttempts: 20 } });
    const windowStart = ctx.clock.now(); // the confirming attempt opens the hourly window
    const { secret } = await withTotp(ctx);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 5; i++) expect((await ctx.twofa.verify('u1', { method: 'totp', code: '000000' })).ok).toBe(false);
      ctx.clock.advanceSeconds(60); // each short lockout ends
    }
    // 20 attempts in the hour: even the right code is refused until the hourly window ends.
    const r = await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) });
    expect(r).toEqual({ ok: false, error: 'locked', attemptsLeft: 0, retryAt: windowStart + 3600_000 });
    ctx.clock.set(windowStart + 3600_000);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).ok).toBe(true);
  });

  it('200 parallel wrong guesses on one challenge count exactly maxAttempts', async () => {
    const ctx = setup({ policy: { maxAttempts: 5, lockoutAfter: 100, hourlyMaxAttempts: 1000 } });
    await withTotp(ctx);
    const ch = await ctx.twofa.challenge('u1');
    const results = await Promise.all(Array.from({ length: 200 }, () => ctx.twofa.verify('u1', { challengeId: ch.id, code: '000000' })));
    expect(results.filter((r) => !r.ok && r.error === 'invalid_code')).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.error === 'max_attempts')).toHaveLength(195);
  });

  it('20 parallel submissions of one valid TOTP code give exactly one success', async () => {
    const ctx = setup({ policy: { lockoutAfter: 100, hourlyMaxAttempts: 1000 } });
    const { secret } = await withTotp(ctx);
    const code = ctx.totpCode(secret);
    const results = await Promise.all(Array.from({ length: 20 }, () => ctx.twofa.verify('u1', { method: 'totp', code })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('counts attempts even for malformed codes, before comparing', async () => {
    const ctx = setup();
    await withTotp(ctx);
    for (const code of ['', 'abc', '1234567', '12 34 56 78']) await ctx.twofa.verify('u1', { method: 'totp', code });
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: '000000' })).toMatchObject({ ok: false, attemptsLeft: 0 });
  });
});

describe('send limits', () => {
  it('a resend inside the cooldown is refused with retryAt, then allowed', async () => {
    const ctx = setup();
    await withPhone(ctx);
    const first = await ctx.twofa.challenge('u1', { method: 'phone' });
    ctx.clock.advanceSeconds(179);
    await expect(ctx.twofa.challenge('u1', { method: 'phone' })).rejects.toMatchObject({ code: 'resend_cooldown', retryAt: first.resendAt });
    ctx.clock.advanceSeconds(1);
    await expect(ctx.twofa.challenge('u1', { method: 'phone' })).resolves.toMatchObject({ method: 'phone' });
  });

  it('limits sends per destination across users', async () => {
    const ctx = setup({ policy: { resendAfterSeconds: 0, sendLimits: { perDestination: { max: 3, windowSeconds: 3600 } } } });
    for (const u of ['a', 'b', 'c']) await ctx.twofa.enroll(u, 'phone', { phoneNumber: '+14155550123' });
    await expect(ctx.twofa.enroll('d', 'phone', { phoneNumber: '+1 415 555 0123' })).rejects.toMatchObject({ code: 'send_limit' });
    await expect(ctx.twofa.enroll('d', 'phone', { phoneNumber: '+14155550124' })).resolves.toMatchObject({ method: 'phone' });
    ctx.clock.advanceSeconds(3600);
    await expect(ctx.twofa.enroll('d', 'phone', { phoneNumber: '+14155550123' })).resolves.toMatchObject({ method: 'phone' });
  });

  it('limits sends per user and globally', async () => {
    const ctx = setup({
      policy: { resendAfterSeconds: 0, sendLimits: { perUser: { max: 2, windowSeconds: 3600 }, global: { max: 4, windowSeconds: 3600 } } },
    });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550101' });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550102' });
    await expect(ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550103' })).rejects.toMatchObject({ code: 'send_limit' });
    await ctx.twofa.enroll('u2', 'phone', { phoneNumber: '+14155550104' });
    await ctx.twofa.enroll('u2', 'phone', { phoneNumber: '+14155550105' });
    await expect(ctx.twofa.enroll('u3', 'phone', { phoneNumber: '+14155550106' })).rejects.toMatchObject({ code: 'send_limit' });
    expect(ctx.sent).toHaveLength(4);
  });
});
