import { describe, expect, it } from 'vitest';
import { RECOVERY_CODE_BITS } from '@twofa/core';
import { dumpStore, setup, withTotp } from './helpers.js';

describe('recovery codes', () => {
  it('come once, with the first confirmed primary method: 10 distinct codes of at least 50 bits', async () => {
    const ctx = setup();
    const { recoveryCodes } = await withTotp(ctx);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(50);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(await ctx.twofa.recoveryCodesRemaining('u1')).toBe(10);
    const methods = await ctx.twofa.methods('u1');
    expect(methods.map((m) => [m.method, m.status])).toEqual([
      ['totp', 'active'],
      ['phone', 'available'],
      ['recovery', 'active'],
    ]);
  });

  it('are stored only as keyed hashes', async () => {
    const ctx = setup();
    const { recoveryCodes } = await withTotp(ctx);
    const dump = dumpStore(ctx.store);
    expect(dump).toMatch(/"hash":/);
    for (const c of recoveryCodes) {
      expect(dump).not.toContain(c);
      expect(dump).not.toContain(c.replace(/-/g, ''));
    }
  });

  it('accept any case, spaces and dashes, and each works once', async () => {
    const ctx = setup();
    const { recoveryCodes } = await withTotp(ctx);
    const [a, b] = recoveryCodes as [string, string];
    const messy = `  ${a.toUpperCase().replace(/-/g, ' ')} `;
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: messy })).toEqual({ ok: true, method: 'recovery' });
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: a })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect((await ctx.twofa.verify('u1', { method: 'recovery', code: b.replace(/-/g, '') })).ok).toBe(true);
    expect(await ctx.twofa.recoveryCodesRemaining('u1')).toBe(8);
    expect((await ctx.twofa.methods('u1')).find((m) => m.method === 'recovery')?.remaining).toBe(8);
  });

  it('work through a challenge too', async () => {
    const ctx = setup();
    const { recoveryCodes } = await withTotp(ctx);
    const ch = await ctx.twofa.challenge('u1', { method: 'recovery' });
    expect(ch.method).toBe('recovery');
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: recoveryCodes[3]! })).toEqual({ ok: true, method: 'recovery' });
    // The challenge is closed by its success.
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: recoveryCodes[4]! })).toMatchObject({ ok: false, error: 'expired' });
  });

  it('regenerating invalidates every old code', async () => {
    const ctx = setup();
    const { recoveryCodes: old } = await withTotp(ctx);
    const fresh = await ctx.twofa.regenerateRecoveryCodes('u1');
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => old.includes(c))).toBe(false);
    expect((await ctx.twofa.verify('u1', { method: 'recovery', code: old[0]! })).ok).toBe(false);
    expect((await ctx.twofa.verify('u1', { method: 'recovery', code: fresh[0]! })).ok).toBe(true);
  });

  it('are never the only method: not enrollable alone, removed with the last primary', async () => {
    const ctx = setup();
    await expect(ctx.twofa.enroll('u1', 'recovery')).rejects.toMatchObject({ code: 'backup_only' });
    await expect(ctx.twofa.regenerateRecoveryCodes('u1')).rejects.toMatchObject({ code: 'backup_only' });
    const { recoveryCodes } = await withTotp(ctx);
    expect(await ctx.twofa.remove('u1', 'totp')).toEqual({ removed: ['totp', 'recovery'] });
    expect(await ctx.twofa.recoveryCodesRemaining('u1')).toBe(0);
    expect((await ctx.twofa.methods('u1')).filter((m) => m.status !== 'available')).toEqual([]);
    await expect(ctx.twofa.verify('u1', { method: 'recovery', code: recoveryCodes[0]! })).rejects.toMatchObject({ code: 'not_enrolled' });
  });

  it('stay while another primary method remains', async () => {
    const ctx = setup();
    await withTotp(ctx);
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    expect((await ctx.twofa.confirmEnrollment('u1', 'phone', ctx.lastCode())).ok).toBe(true);
    expect(await ctx.twofa.remove('u1', 'totp')).toEqual({ removed: ['totp'] });
    expect(await ctx.twofa.recoveryCodesRemaining('u1')).toBe(10);
  });

  it('one code used 20 times in parallel succeeds exactly once', async () => {
    const ctx = setup({ policy: { lockoutAfter: 50, hourlyMaxAttempts: 50 } });
    const { recoveryCodes } = await withTotp(ctx);
    const results = await Promise.all(Array.from({ length: 20 }, () => ctx.twofa.verify('u1', { method: 'recovery', code: recoveryCodes[0]! })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('two primary methods confirmed at the same moment make one set, and the codes shown work', async () => {
    const ctx = setup();
    const e = await ctx.twofa.enroll('u1', 'totp', { label: 'a' });
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    const [t, p] = await Promise.all([
      ctx.twofa.confirmEnrollment('u1', 'totp', ctx.totpCode(String(e.secret))),
      ctx.twofa.confirmEnrollment('u1', 'phone', ctx.lastCode()),
    ]);
    expect(t.ok && p.ok).toBe(true);
    const shown = [t, p].flatMap((r) => (r.ok && r.recoveryCodes ? [r.recoveryCodes] : []));
    expect(shown).toHaveLength(1);
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: shown[0]![0]! })).toMatchObject({ ok: true });
  });

  it('a user who removes their only method and enrolls again at once gets a new set', async () => {
    const ctx = setup();
    await withTotp(ctx);
    await ctx.twofa.remove('u1', 'totp');
    const again = await withTotp(ctx);
    expect(again.recoveryCodes).toHaveLength(10);
  });
});
