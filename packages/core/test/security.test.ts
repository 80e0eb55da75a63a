import { describe, expect, it, vi } from 'vitest';
import { createTwoFactor, MemoryStore, recoveryCodes, totp, type Store } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { dumpStore, KEY_A, KEY_B, setup, withTotp } from './helpers.js';

describe('secrets at rest', () => {
  it('TOTP secrets and phone numbers are encrypted, with the key id in the ciphertext', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    const dump = dumpStore(ctx.store);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain('4155550123');
    for (const a of await ctx.store.getAuthenticators('u1')) expect(a.secret).toMatch(/^v1\.[0-9a-f]{8}\./);
  });

  it('keys rotate: decrypt with any listed key, encrypt with the newest', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const make = (keys: string[]) => createTwoFactor({ issuer: 'Acme', store, clock, encryptionKeys: keys, interfaces: [totp(), recoveryCodes()] });
    const ctx = setup();
    const old = make([KEY_A]);
    const e = await old.enroll('u1', 'totp');
    const r = await old.confirmEnrollment('u1', 'totp', ctx.totpCode(String(e.secret), clock.now()));
    expect(r.ok).toBe(true);
    const codes = r.ok ? r.recoveryCodes! : [];
    clock.advanceSeconds(30);
    const rotated = make([KEY_B, KEY_A]);
    expect((await rotated.verify('u1', { method: 'totp', code: ctx.totpCode(String(e.secret), clock.now()) })).ok).toBe(true);
    expect((await rotated.verify('u1', { method: 'recovery', code: codes[0]! })).ok).toBe(true);
    await rotated.enroll('u2', 'totp');
    expect((await store.getAuthenticators('u2'))[0]!.secret.startsWith('v1.keyB.')).toBe(true);
    // Without the old key the old secret cannot be opened: a typed error, never a pass.
    const withoutOld = make([KEY_B]);
    clock.advanceSeconds(30);
    await expect(withoutOld.verify('u1', { method: 'totp', code: ctx.totpCode(String(e.secret), clock.now()) })).rejects.toMatchObject({ code: 'decrypt_failed' });
  });

  it('refuses to start without a key unless insecureNoEncryption is set, and then warns', () => {
    expect(() => createTwoFactor({ issuer: 'Acme', interfaces: [totp()] })).toThrow(expect.objectContaining({ code: 'encryption_key_missing' }));
    expect(() => createTwoFactor({ issuer: 'Acme', encryptionKeys: [undefined], interfaces: [totp()] })).toThrow(expect.objectContaining({ code: 'encryption_key_missing' }));
    expect(() => createTwoFactor({ issuer: 'Acme', encryptionKeys: ['short'], interfaces: [totp()] })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    const warn = vi.fn();
    createTwoFactor({ issuer: 'Acme', insecureNoEncryption: true, interfaces: [totp()], logger: { warn } });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('insecureNoEncryption'));
  });
});

describe('events', () => {
  it('carry no secret, code or unmasked number', async () => {
    const ctx = setup();
    const { secret, recoveryCodes: codes } = await withTotp(ctx);
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    const phoneCode = ctx.lastCode();
    await ctx.twofa.confirmEnrollment('u1', 'phone', '000000');
    await ctx.twofa.confirmEnrollment('u1', 'phone', phoneCode);
    const ch = await ctx.twofa.challenge('u1', { method: 'phone' });
    const loginCode = ctx.lastCode();
    await ctx.twofa.verify('u1', { challengeId: ch.id, code: loginCode });
    await ctx.twofa.verify('u1', { method: 'recovery', code: codes[0]! });
    for (let i = 0; i < 5; i++) await ctx.twofa.verify('u1', { method: 'totp', code: '999999' });
    await ctx.twofa.remove('u1', 'phone');
    const names = new Set(ctx.events.map((e) => e.name));
    expect([...names].sort()).toEqual(['method.enrolled', 'method.removed', 'user.locked', 'verification.failed', 'verification.sent', 'verification.succeeded']);
    const text = JSON.stringify(ctx.events);
    for (const s of [secret, phoneCode, loginCode, codes[0]!, '4155550123', '999999']) expect(text).not.toContain(s);
    expect(text).toContain('+1 ••• ••• 0123');
  });
});

describe('remember this device', () => {
  it('a signed token works until 2FA changes, its expiry, or tampering', async () => {
    const ctx = setup();
    await withTotp(ctx);
    const token = await ctx.twofa.rememberDevice('u1', { days: 30 });
    expect(await ctx.twofa.isDeviceRemembered('u1', token)).toBe(true);
    expect(await ctx.twofa.isDeviceRemembered('u2', token)).toBe(false);
    expect(await ctx.twofa.isDeviceRemembered('u1', token.slice(0, -2) + 'AA')).toBe(false);
    expect(await ctx.twofa.isDeviceRemembered('u1', 'garbage')).toBe(false);
    expect(await ctx.twofa.isDeviceRemembered('u1', 42)).toBe(false);
    ctx.clock.advanceSeconds(31 * 86400);
    expect(await ctx.twofa.isDeviceRemembered('u1', token)).toBe(false);
  });

  it('is revoked when a method is added or removed', async () => {
    const ctx = setup();
    await withTotp(ctx);
    const token = await ctx.twofa.rememberDevice('u1');
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    expect(await ctx.twofa.isDeviceRemembered('u1', token)).toBe(true); // pending changes nothing
    await ctx.twofa.confirmEnrollment('u1', 'phone', ctx.lastCode());
    expect(await ctx.twofa.isDeviceRemembered('u1', token)).toBe(false);
    const token2 = await ctx.twofa.rememberDevice('u1');
    await ctx.twofa.remove('u1', 'phone');
    expect(await ctx.twofa.isDeviceRemembered('u1', token2)).toBe(false);
  });
});

describe('fail closed', () => {
  it('a store that throws yields store_unavailable and never a success', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    const broken = new Proxy(ctx.store, {
      get(target, prop, receiver) {
        if (prop === 'useTotpStep') return async () => { throw new Error('ECONNRESET'); };
        return Reflect.get(target, prop, receiver);
      },
    }) as Store;
    const twofa = createTwoFactor({ issuer: 'Acme', store: broken, clock: ctx.clock, encryptionKeys: [KEY_A], interfaces: [totp(), recoveryCodes()] });
    await expect(twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
