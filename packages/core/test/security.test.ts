import { describe, expect, it, vi } from 'vitest';
import { consoleSender, createTwoFactor, localVerifier, MemoryStore, recoveryCodes, reencryptStore, totp, type Store } from '@twofa/core';
import { FakeClock, legacyTotpSecret } from '@twofa/testkit';
import { dumpStore, KEY_A, KEY_B, setup, withTotp } from './helpers.js';

describe('secrets at rest', () => {
  it('TOTP secrets and phone numbers are encrypted, with the key id in the ciphertext', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    const dump = dumpStore(ctx.store);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain('4155550123');
    for (const a of await ctx.store.getAuthenticators('u1')) expect(a.secret).toMatch(/^v2\.[0-9a-f]{8}\./);
  });

  it('keys rotate: decrypt with any listed key, encrypt with the newest', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore();
    const make = (keys: string[]) => createTwoFactor({ issuer: 'Acme', store, clock, encryptionKeys: keys, methods: [totp(), recoveryCodes()] });
    const ctx = setup();
    const old = make([KEY_A]);
    const e = await old.enroll('u1', 'totp');
    const r = await old.confirmEnrollment('u1', e.id, ctx.totpCode(e.secret, clock.now()));
    expect(r.ok).toBe(true);
    const codes = r.ok ? r.recoveryCodes! : [];
    clock.advanceSeconds(30);
    const rotated = make([KEY_B, KEY_A]);
    expect((await rotated.verify('u1', { method: 'totp', code: ctx.totpCode(String(e.secret), clock.now()) })).ok).toBe(true);
    expect((await rotated.verify('u1', { method: 'recovery', code: codes[0]! })).ok).toBe(true);
    await rotated.enroll('u2', 'totp');
    expect((await store.getAuthenticators('u2'))[0]!.secret.startsWith('v2.keyB.')).toBe(true);
    // The secret used with the older key was written again with the newest.
    expect((await store.getAuthenticators('u1')).find((a) => a.method === 'totp')!.secret.startsWith('v2.keyB.')).toBe(true);
    // Without the old key the old secret cannot be opened: a typed error, never a pass.
    await old.enroll('u3', 'totp');
    const e3 = await old.enroll('u3', 'totp');
    await old.confirmEnrollment('u3', e3.id, ctx.totpCode(e3.secret, clock.now()));
    const withoutOld = make([KEY_B]);
    clock.advanceSeconds(30);
    await expect(withoutOld.verify('u3', { method: 'totp', code: ctx.totpCode(e3.secret, clock.now()) })).rejects.toMatchObject({ code: 'decrypt_failed' });
    // methods() says so instead of calling it active.
    expect((await withoutOld.methods('u3')).map((m) => [m.method, m.status])).toEqual([['totp', 'unreadable'], ['recovery', 'unreadable']]);
  });

  it('refuses to start without a key unless insecureNoEncryption is set, and then warns; never in production', () => {
    const store = new MemoryStore();
    expect(() => createTwoFactor({ issuer: 'Acme', store, methods: [totp()] })).toThrow(expect.objectContaining({ code: 'encryption_key_missing' }));
    expect(() => createTwoFactor({ issuer: 'Acme', store, encryptionKeys: [undefined], methods: [totp()] })).toThrow(expect.objectContaining({ code: 'encryption_key_missing' }));
    expect(() => createTwoFactor({ issuer: 'Acme', store, encryptionKeys: ['short'], methods: [totp()] })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    const warn = vi.fn();
    createTwoFactor({ issuer: 'Acme', store, insecureNoEncryption: true, methods: [totp()], logger: { warn } });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('forged'));
    vi.stubEnv('NODE_ENV', 'production');
    try {
      expect(() => createTwoFactor({ issuer: 'Acme', store, insecureNoEncryption: true, methods: [totp()], logger: { warn } })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses the console sender in production, where codes in a log would reach no user and anyone reading it', async () => {
    const lines: string[] = [];
    const sender = consoleSender({ write: (l) => void lines.push(l) });
    await sender.send({ to: '+12015550123', body: 'Your code is 123456', channel: 'sms' });
    expect(lines).toEqual(['[twofa console sender] sms to +1 ••• ••• 0123: Your code is 123456']);
    vi.stubEnv('NODE_ENV', 'production');
    try {
      expect(() => consoleSender()).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining('NODE_ENV is production') }));
      expect(() => localVerifier({ sender: consoleSender() })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    } finally {
      vi.unstubAllEnvs();
    }
    expect(() => consoleSender()).not.toThrow();
  });

  it('a store is required: no silent MemoryStore', () => {
    expect(() => createTwoFactor({ issuer: 'Acme', encryptionKeys: [KEY_A], methods: [totp()] } as never)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});

describe('secrets are bound to their owner and record', () => {
  it("a TOTP box copied into another user's row does not let its owner pass as that user", async () => {
    const ctx = setup();
    const mallory = await withTotp(ctx, 'mallory');
    await withTotp(ctx, 'alice');
    const mine = (await ctx.store.getAuthenticators('mallory')).find((a) => a.method === 'totp')!;
    const hers = (await ctx.store.getAuthenticators('alice')).find((a) => a.method === 'totp')!;
    // Someone with write access to the store swaps the boxes.
    await ctx.store.saveAuthenticator({ ...hers, secret: mine.secret });
    await expect(ctx.twofa.verify('alice', { method: 'totp', code: ctx.totpCode(mallory.secret) })).rejects.toMatchObject({ code: 'decrypt_failed' });
    expect(ctx.events.filter((e) => e.name === 'secret.unreadable').map((e) => e.event)).toContainEqual(
      expect.objectContaining({ userId: 'alice', record: 'authenticator', method: 'totp', authenticatorId: hers.id }),
    );
    // Moved to another record of the same user: refused too.
    await ctx.store.saveAuthenticator({ ...hers, id: 'other-id', secret: hers.secret });
    expect((await ctx.twofa.methods('alice')).find((m) => m.id === 'other-id')?.status).toBe('unreadable');
  });

  it("a challenge box copied into another user's partition is refused", async () => {
    const ctx = setup();
    await withTotp(ctx, 'mallory');
    await withTotp(ctx, 'alice');
    const ch = await ctx.twofa.challenge('mallory', { method: 'totp' });
    const [box] = await ctx.store.listRecords('mallory', 'ch:totp', ctx.clock.now());
    await ctx.store.putRecord('alice', 'ch:totp', box!.value, box!.expiresAt, ctx.clock.now());
    await expect(ctx.twofa.verify('alice', { challengeId: ch.id, code: '123456' })).rejects.toMatchObject({ code: 'decrypt_failed' });
    expect(ctx.events.some((e) => e.name === 'secret.unreadable' && (e.event as { record: string }).record === 'challenge')).toBe(true);
  });

  it('data written by twofa 0.1 keeps working, is re-encrypted on use, and the rest by the one-shot command', async () => {
    const ctx = setup();
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const legacy = (userId: string, id: string) => ({ userId, id, method: 'totp', status: 'active' as const, secret: legacyTotpSecret(KEY_A, secret), createdAt: ctx.clock.now(), confirmedAt: ctx.clock.now() });
    await ctx.store.saveAuthenticator(legacy('old1', 'a1'));
    await ctx.store.saveAuthenticator(legacy('old2', 'a2'));
    expect(await ctx.twofa.verify('old1', { method: 'totp', code: ctx.totpCode(secret) })).toMatchObject({ ok: true });
    expect((await ctx.store.getAuthenticators('old1'))[0]!.secret).toMatch(/^v2\./);
    expect((await ctx.store.getAuthenticators('old2'))[0]!.secret).toMatch(/^v1\./);
    expect(await reencryptStore({ store: ctx.store, encryptionKeys: [KEY_A] })).toMatchObject({ updated: 1, unreadable: 0 });
    expect((await ctx.store.getAuthenticators('old2'))[0]!.secret).toMatch(/^v2\./);
    // Once upgraded, the unbound format can be refused, closing the swap for good.
    await ctx.store.saveAuthenticator(legacy('old3', 'a3'));
    const strict = createTwoFactor({ issuer: 'Acme', store: ctx.store, clock: ctx.clock, encryptionKeys: [KEY_A], legacyCiphertexts: 'refuse', methods: [totp(), recoveryCodes()] });
    ctx.clock.advanceSeconds(30);
    expect(await strict.verify('old2', { method: 'totp', code: ctx.totpCode(secret) })).toMatchObject({ ok: true });
    await expect(strict.verify('old3', { method: 'totp', code: ctx.totpCode(secret) })).rejects.toMatchObject({ code: 'decrypt_failed' });
  });
});

describe('events', () => {
  it('carry no secret, code or unmasked number', async () => {
    const ctx = setup();
    const { secret, recoveryCodes: codes } = await withTotp(ctx);
    const ph = await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    const phoneCode = ctx.lastCode();
    await ctx.twofa.confirmEnrollment('u1', ph.id, phoneCode === '000000' ? '111111' : '000000');
    await ctx.twofa.confirmEnrollment('u1', ph.id, phoneCode);
    ctx.clock.advanceSeconds(180);
    const ch = await ctx.twofa.challenge('u1', { method: 'phone' });
    const loginCode = ctx.lastCode();
    await ctx.twofa.verify('u1', { challengeId: ch.id, code: loginCode });
    await ctx.twofa.verify('u1', { method: 'recovery', code: codes[0]! });
    for (let i = 0; i < 5; i++) await ctx.twofa.verify('u1', { method: 'totp', code: '999999' });
    await ctx.twofa.remove('u1', ph.id);
    const names = new Set(ctx.events.map((e) => e.name));
    expect([...names].sort()).toEqual(['authenticator.enrolled', 'authenticator.removed', 'user.locked', 'verification.failed', 'verification.sent', 'verification.succeeded']);
    const text = JSON.stringify(ctx.events);
    for (const s of [secret, phoneCode, loginCode, codes[0]!, '4155550123', '999999']) expect(text).not.toContain(s);
    expect(text).toContain('+1 ••• ••• 0123');
  });

  it('carry only validated values: a forged challenge id or method never reaches an event', async () => {
    const ctx = setup();
    await withTotp(ctx);
    const before = ctx.events.length;
    await ctx.twofa.verify('u1', { challengeId: 'evil<script>.x', code: '1' }).catch(() => undefined);
    await ctx.twofa.verify('u1', { challengeId: 'nomethod.abc', code: '1' }).catch(() => undefined);
    await ctx.twofa.verify('u1', { method: 'TOTP<x>', code: '1' }).catch(() => undefined);
    await ctx.twofa.verify('u1', { challengeId: 'totp.forged', code: '1' }).catch(() => undefined);
    const text = JSON.stringify(ctx.events.slice(before));
    for (const bad of ['evil', 'script', 'nomethod', 'TOTP<x>', 'forged']) expect(text).not.toContain(bad);
    expect(ctx.events.slice(before).every((e) => !('method' in (e.event as object)) || ['totp', 'phone', 'recovery'].includes((e.event as { method: string }).method))).toBe(true);
  });
});

describe('remember this device', () => {
  it('a signed token works until 2FA changes, its expiry, or tampering', async () => {
    const ctx = setup();
    await withTotp(ctx);
    const { token } = await ctx.twofa.rememberDevice('u1', { days: 30 });
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
    const { token } = await ctx.twofa.rememberDevice('u1');
    const ph = await ctx.twofa.enroll('u1', 'phone', { phoneNumber: '+14155550123' });
    expect(await ctx.twofa.isDeviceRemembered('u1', token)).toBe(true); // pending changes nothing
    await ctx.twofa.confirmEnrollment('u1', ph.id, ctx.lastCode());
    expect(await ctx.twofa.isDeviceRemembered('u1', token)).toBe(false);
    const { token: token2 } = await ctx.twofa.rememberDevice('u1');
    await ctx.twofa.remove('u1', ph.id);
    expect(await ctx.twofa.isDeviceRemembered('u1', token2)).toBe(false);
  });

  it('devices are listed with name, when remembered and last used; one or all can be forgotten', async () => {
    const ctx = setup();
    await withTotp(ctx);
    const laptop = await ctx.twofa.rememberDevice('u1', { name: 'Firefox on Linux' });
    ctx.clock.advanceSeconds(60);
    const phone = await ctx.twofa.rememberDevice('u1', { name: 'Safari on iPhone', days: 7 });
    ctx.clock.advanceSeconds(7200);
    expect(await ctx.twofa.isDeviceRemembered('u1', laptop.token)).toBe(true);
    const list = await ctx.twofa.devices('u1');
    expect(list.map((d) => [d.name, d.createdAt, d.lastUsedAt])).toEqual([
      ['Safari on iPhone', phone.device.createdAt, undefined],
      ['Firefox on Linux', laptop.device.createdAt, ctx.clock.now()],
    ]);
    expect(await ctx.twofa.forgetDevice('u1', laptop.device.id)).toBe(true);
    expect(await ctx.twofa.isDeviceRemembered('u1', laptop.token)).toBe(false);
    expect(await ctx.twofa.isDeviceRemembered('u1', phone.token)).toBe(true);
    expect(await ctx.twofa.forgetDevices('u1')).toBe(1);
    expect(await ctx.twofa.isDeviceRemembered('u1', phone.token)).toBe(false);
    expect(await ctx.twofa.devices('u1')).toEqual([]);
    await expect(ctx.twofa.rememberDevice('u1', null as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('fail closed', () => {
  it('a store that throws yields store_unavailable and never a success', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    const broken = new Proxy(ctx.store, {
      get(target, prop, receiver) {
        if (prop === 'consume') return async () => { throw new Error('ECONNRESET'); };
        return Reflect.get(target, prop, receiver);
      },
    }) as Store;
    const twofa = createTwoFactor({ issuer: 'Acme', store: broken, clock: ctx.clock, encryptionKeys: [KEY_A], methods: [totp(), recoveryCodes()] });
    await expect(twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
