import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '@twofa/core';
import { setup, withPhone, withTotp } from './helpers.js';

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
    expect(ctx.events.filter((e) => e.name === 'user.locked').map((e) => e.event)).toEqual([{ userId: 'u1', until: start + 600_000, reason: 'failures', at: start }]);
    ctx.clock.advanceSeconds(599);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).ok).toBe(false);
    ctx.clock.advanceSeconds(1);
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).toMatchObject({ ok: true, method: 'totp' });
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
    // The hourly cap is a lockout like the others, and says so.
    expect(ctx.events.filter((e) => e.name === 'user.locked').map((e) => (e.event as { reason: string }).reason)).toEqual(['failures', 'failures', 'failures', 'hourly_cap']);
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

describe('a hard cap on failures in a row (NIST SP 800-63B §5.2.2)', () => {
  it('after 100 failures in a row, paced around every lockout, the primary methods stay suspended until a recovery code', async () => {
    const ctx = setup({ policy: { hourlyMaxAttempts: 1000 } });
    const { secret, recoveryCodes } = await withTotp(ctx);
    let last;
    for (let i = 0; i < 100; i++) {
      last = await ctx.twofa.verify('u1', { method: 'totp', code: '000000' });
      if (i % 5 === 4) ctx.clock.advanceSeconds(600); // wait out each short lockout, as a patient guesser would
    }
    expect(last).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(ctx.events.filter((e) => e.name === 'user.suspended').map((e) => e.event)).toEqual([{ userId: 'u1', scope: 'primary', at: expect.any(Number) }]);
    ctx.clock.advanceSeconds(7 * 86_400); // time alone does not end it
    const refused = await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) });
    expect(refused).toEqual({ ok: false, error: 'suspended', attemptsLeft: 0 });
    await expect(ctx.twofa.challenge('u1', { method: 'totp' })).rejects.toMatchObject({ code: 'suspended' });
    // Recovery codes still work, and a success ends the suspension.
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: recoveryCodes[0]! })).toMatchObject({ ok: true });
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).toMatchObject({ ok: true });
  });

  it('unlock() ends a suspension and a lockout', async () => {
    const ctx = setup({ policy: { maxConsecutiveFailures: 3, lockoutAfter: 3 } });
    const { secret } = await withTotp(ctx);
    for (let i = 0; i < 3; i++) await ctx.twofa.verify('u1', { method: 'totp', code: '000000' });
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).toMatchObject({ ok: false, error: 'suspended' });
    await ctx.twofa.unlock('u1');
    expect(ctx.events.some((e) => e.name === 'user.unlocked')).toBe(true);
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).toMatchObject({ ok: true });
  });
});

describe('policy options', () => {
  it('overrides merge deeply: one send-limit field keeps the default window', async () => {
    const ctx = setup({ policy: { sendLimits: { perDestination: { max: 3 } } } });
    expect(ctx.twofa.policy.sendLimits.perDestination).toEqual({ max: 3, windowSeconds: defaultPolicy.sendLimits.perDestination.windowSeconds });
    expect(ctx.twofa.policy.sendLimits.perUser).toEqual(defaultPolicy.sendLimits.perUser);
    expect(ctx.twofa.policy.maxConsecutiveFailures).toBe(100);
  });

  it('refuses unknown and malformed settings with config_invalid', () => {
    for (const policy of [{ maxAtempts: 3 }, { sendLimits: { perDay: { max: 1 } } }, { sendLimits: { perUser: null } }, { sendLimits: [] }, { maxAttempts: 0 }, { maxConsecutiveFailures: 1.5 }, null]) {
      expect(() => setup({ policy: policy as never }), JSON.stringify(policy)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    }
  });
});

describe('send limits', () => {
  it('a resend inside the cooldown is refused with retryAt, then allowed', async () => {
    const ctx = setup();
    await withPhone(ctx);
    ctx.clock.advanceSeconds(180); // the enrollment's code had its own cooldown
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
