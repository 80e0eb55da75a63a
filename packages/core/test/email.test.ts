import { describe, expect, it } from 'vitest';
import { consoleSender, createTwoFactor, email, localVerifier, MemoryStore, recoveryCodes, totp, type EventName, type TwoFactorEvents } from '@twofa/core';
import { FakeClock, fakeVerifier } from '@twofa/testkit';
import { dumpStore, KEY_A } from './helpers.js';

function setup(policy = {}) {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const sent: { to: string; body: string; vars?: { code: string } }[] = [];
  const sender = consoleSender({ write: () => {}, onMessage: (m) => sent.push(m) });
  const twofa = createTwoFactor({ issuer: 'Acme', store, clock, encryptionKeys: [KEY_A], policy, methods: [totp(), email({ verifier: localVerifier({ sender }) }), recoveryCodes()] });
  const events: TwoFactorEvents[EventName][] = [];
  for (const n of ['verification.sent', 'verification.succeeded', 'verification.failed'] as const) twofa.on(n, (e) => events.push(e));
  const lastCode = () => sent.at(-1)?.vars?.code ?? '';
  return { twofa, clock, store, sent, events, lastCode };
}

describe('codes by email', () => {
  it('enroll an address, confirm it, then sign in with a code sent to it', async () => {
    const ctx = setup();
    const e = await ctx.twofa.enroll('u1', 'email', { address: 'Alice.Smith@Bücher.Example', name: 'Work' });
    expect(e).toMatchObject({ method: 'email', name: 'Work', destination: 'A•••@xn--bcher-kva.example' });
    expect(ctx.sent.at(-1)?.to).toBe('Alice.Smith@xn--bcher-kva.example'); // normalised: IDN domain in ASCII, lower case
    const confirmed = await ctx.twofa.confirmEnrollment('u1', e.id, ctx.lastCode());
    expect(confirmed).toMatchObject({ ok: true, method: 'email', recoveryCodes: expect.any(Array) });
    ctx.clock.advanceSeconds(181);
    const ch = await ctx.twofa.challenge('u1');
    expect(ch).toMatchObject({ method: 'email', channel: 'email', authenticatorId: e.id, destination: 'A•••@xn--bcher-kva.example' });
    expect(await ctx.twofa.verify('u1', { challengeId: ch.id, code: ctx.lastCode() })).toMatchObject({ ok: true, authenticatorId: e.id });
    expect((await ctx.twofa.methods('u1'))[0]).toMatchObject({ method: 'email', name: 'Work', display: { email: 'A•••@xn--bcher-kva.example' } });
  });

  it('the address is stored encrypted and never reaches an event', async () => {
    const ctx = setup();
    const e = await ctx.twofa.enroll('u1', 'email', { address: 'alice@example.com' });
    await ctx.twofa.confirmEnrollment('u1', e.id, ctx.lastCode());
    expect(dumpStore(ctx.store)).not.toContain('alice@example.com');
    const text = JSON.stringify(ctx.events);
    expect(text).not.toContain('alice@example.com');
    expect(text).toContain('a•••@example.com');
  });

  it('the phone policies apply: cooldown per address, sends counted per address (by keyed hash) across users', async () => {
    const ctx = setup({ sendLimits: { perDestination: { max: 2 } } });
    await ctx.twofa.enroll('u1', 'email', { address: 'shared@example.com' });
    await expect(ctx.twofa.enroll('u1', 'email', { address: 'shared@example.com' })).rejects.toMatchObject({ code: 'resend_cooldown' });
    await ctx.twofa.enroll('u2', 'email', { address: 'SHARED@example.com'.toLowerCase() });
    await expect(ctx.twofa.enroll('u3', 'email', { address: 'shared@example.com' })).rejects.toMatchObject({ code: 'send_limit', retryAt: expect.any(Number) });
    expect(ctx.sent).toHaveLength(2);
  });

  it('refuses bad addresses with invalid_input and writes nothing', async () => {
    const ctx = setup();
    for (const address of ['', 'no-at', 'a@b', 'a@example.com\r\nBcc: x@evil.test', 'a\u0000@example.com', `${'x'.repeat(300)}@example.com`, '"q"@example.com', 'alice@\uD800.com', 42]) {
      await expect(ctx.twofa.enroll('u1', 'email', { address: address as string }), JSON.stringify(address).slice(0, 30)).rejects.toMatchObject({ code: 'invalid_input' });
    }
    expect(ctx.sent).toEqual([]);
    expect(await ctx.store.getAuthenticators('u1')).toEqual([]);
  });

  it("reaches a hosted verifier's email channel (Twilio Verify, Vonage Verify)", async () => {
    const clock = new FakeClock();
    const verifier = fakeVerifier({ clock, channels: ['sms', 'email'] });
    const twofa = createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), clock, encryptionKeys: [KEY_A], methods: [email({ verifier }), recoveryCodes()] });
    const e = await twofa.enroll('u1', 'email', { address: 'bob@example.com', locale: 'fr' });
    expect(verifier.sent.at(-1)).toMatchObject({ to: 'bob@example.com', channel: 'email', locale: 'fr' });
    expect((await twofa.confirmEnrollment('u1', e.id, verifier.lastCode()!)).ok).toBe(true);
  });

  it('needs a verifier that sends email', () => {
    const sms = consoleSender({ write: () => {} });
    expect(() => email({ verifier: fakeVerifier({ channels: ['sms'] }) })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(() => email({ verifier: localVerifier({ sender: { ...sms, channels: ['sms'] } }) })).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    expect(email().isAvailable()).toBe(false);
  });
});
