import { describe, expect, it } from 'vitest';
import { RECOVERY_CODE_BITS } from '@twofa/core';
import { dumpStore, setup, withPhone, withTotp } from './helpers.js';

const remaining = async (ctx: ReturnType<typeof setup>, userId = 'u1') => (await ctx.twofa.methods(userId)).find((m) => m.method === 'recovery')?.remaining ?? 0;

describe('recovery codes', () => {
  it('come once, with the first confirmed primary method: 10 distinct codes of at least 50 bits', async () => {
    const ctx = setup();
    const { recoveryCodes } = await withTotp(ctx);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(50);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(await remaining(ctx)).toBe(10);
    const methods = await ctx.twofa.methods('u1');
    expect(methods.map((m) => [m.method, m.status, m.isBackup])).toEqual([
      ['totp', 'active', false],
      ['recovery', 'active', true],
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
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: messy })).toMatchObject({ ok: true, method: 'recovery' });
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: a })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect((await ctx.twofa.verify('u1', { method: 'recovery', code: b.replace(/-/g, '') })).ok).toBe(true);
    expect(await remaining(ctx)).toBe(8);
    // The recovery set shows when a code was last used.
    expect((await ctx.twofa.methods('u1')).find((m) => m.method === 'recovery')?.lastUsedAt).toBe(ctx.clock.now());
  });

  it('work through a challenge too', async () => {
    const ctx = setup();
    const { recoveryCodes } = await withTotp(ctx);
    const ch = await ctx.twofa.challenge('u1', { method: 'recovery' });
    expect(ch.method).toBe('recovery');
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: recoveryCodes[3]! })).toMatchObject({ ok: true, method: 'recovery' });
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
    const { recoveryCodes, id } = await withTotp(ctx);
    const set = (await ctx.twofa.methods('u1')).find((m) => m.method === 'recovery')!;
    expect(await ctx.twofa.remove('u1', id)).toEqual({ removed: [id, set.id] });
    expect(await remaining(ctx)).toBe(0);
    expect(await ctx.twofa.methods('u1')).toEqual([]);
    await expect(ctx.twofa.verify('u1', { method: 'recovery', code: recoveryCodes[0]! })).rejects.toMatchObject({ code: 'not_enrolled' });
  });

  it('stay while another primary method remains', async () => {
    const ctx = setup();
    const { id } = await withTotp(ctx);
    await withPhone(ctx);
    expect(await ctx.twofa.remove('u1', id)).toEqual({ removed: [id] });
    expect(await remaining(ctx)).toBe(10);
  });

  it('a verify counts the attempt and uses the code in one store call', async () => {
    const ctx = setup();
    const { recoveryCodes } = await withTotp(ctx);
    const calls: string[] = [];
    for (const op of ['hit', 'consume', 'getAuthenticators', 'takeRecord', 'putRecord'] as const) {
      const real = ctx.store[op].bind(ctx.store) as (...a: unknown[]) => unknown;
      (ctx.store as unknown as Record<string, unknown>)[op] = (...a: unknown[]) => (calls.push(op), real(...a));
    }
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: recoveryCodes[0]! })).toMatchObject({ ok: true });
    expect(calls).toEqual(['hit']);
    calls.length = 0;
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: 'aaaa-bbbb-cccc' })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(calls).toEqual(['hit']);
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
    const ph = await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    const [t, p] = await Promise.all([
      ctx.twofa.confirmEnrollment('u1', e.id, ctx.totpCode(e.secret)),
      ctx.twofa.confirmEnrollment('u1', ph.id, ctx.lastCode()),
    ]);
    expect(t.ok && p.ok).toBe(true);
    const shown = [t, p].flatMap((r) => (r.ok && r.recoveryCodes ? [r.recoveryCodes] : []));
    expect(shown).toHaveLength(1);
    expect(await ctx.twofa.verify('u1', { method: 'recovery', code: shown[0]![0]! })).toMatchObject({ ok: true });
  });

  it('a user who removes their only method and enrolls again at once gets a new set', async () => {
    const ctx = setup();
    const { id } = await withTotp(ctx);
    await ctx.twofa.remove('u1', id);
    const again = await withTotp(ctx);
    expect(again.recoveryCodes).toHaveLength(10);
  });
});
