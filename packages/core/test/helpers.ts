import { generateSync } from 'otplib';
import { FakeClock } from '@twofa/testkit';
import {
  consoleSender,
  createTwoFactor,
  localVerifier,
  MemoryStore,
  phone,
  recoveryCodes,
  totp,
  type EventName,
  type TwoFactorEvents,
  type TwoFactor,
  type TwoFactorOptions,
} from '@twofa/core';

export const KEY_A = 'a'.repeat(64);
export const KEY_B = 'keyB:' + Buffer.alloc(32, 7).toString('base64');

/** A manager on MemoryStore with a fake clock and a sender whose messages the test can read. */
export function setup(overrides: Partial<TwoFactorOptions> = {}) {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const sent: { to: string; body: string; channel: string }[] = [];
  const sender = consoleSender({ write: () => {}, onMessage: (m) => sent.push(m) });
  const events: { name: EventName; event: TwoFactorEvents[EventName] }[] = [];
  // Typed for the built-in methods, whatever `overrides` adds.
  const twofa: TwoFactor = createTwoFactor({
    issuer: 'Acme',
    store,
    clock,
    encryptionKeys: [KEY_A],
    methods: [
      totp(),
      phone({ verifier: localVerifier({ sender }), channels: ['sms', 'call'], numbers: { defaultRegion: 'US' } }),
      recoveryCodes(),
    ],
    ...overrides,
  });
  for (const name of ['verification.sent', 'verification.succeeded', 'verification.failed', 'user.locked', 'user.suspended', 'user.unlocked', 'authenticator.enrolled', 'authenticator.removed', 'secret.unreadable'] as const) {
    twofa.on(name, (event) => events.push({ name, event }));
  }
  const lastCode = () => /\b(\d{6})\b/.exec(sent.at(-1)?.body ?? '')?.[1] ?? '';
  const totpCode = (secret: string, at = clock.now()) => generateSync({ secret, epoch: Math.floor(at / 1000) });
  return { clock, store, twofa, sent, events, lastCode, totpCode };
}

/** Enrolls and confirms TOTP; returns the secret and the recovery codes. */
export async function withTotp(ctx: ReturnType<typeof setup>, userId = 'u1', name?: string) {
  const e = await ctx.twofa.enroll(userId, 'totp', { label: 'alice@example.com', ...(name ? { name } : {}) });
  const r = await ctx.twofa.confirmEnrollment(userId, e.id, ctx.totpCode(e.secret));
  if (!r.ok) throw new Error(`confirm failed: ${r.error}`);
  ctx.clock.advanceSeconds(30); // the confirming step is used up
  return { secret: e.secret, id: e.id, recoveryCodes: r.recoveryCodes ?? [] };
}

/** Enrolls and confirms a phone; returns its authenticator id. */
export async function withPhone(ctx: ReturnType<typeof setup>, userId = 'u1', phoneNumber = '+12015550123', name?: string) {
  const e = await ctx.twofa.enroll(userId, 'phone', { phoneNumber, ...(name ? { name } : {}) });
  const r = await ctx.twofa.confirmEnrollment(userId, e.id, ctx.lastCode());
  if (!r.ok) throw new Error(`confirm failed: ${r.error}`);
  return { id: e.id, recoveryCodes: r.recoveryCodes ?? [] };
}

/** Everything a MemoryStore holds, as text (Maps included), to search for leaked secrets. */
export function dumpStore(store: MemoryStore): string {
  const text = JSON.stringify(store, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v));
  if (text.length < 100) throw new Error('store dump is suspiciously empty');
  return text;
}
