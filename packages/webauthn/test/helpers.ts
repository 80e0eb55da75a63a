import { createTwoFactor, MemoryStore, recoveryCodes, totp, type EventName, type PolicyInput, type TwoFactorEvents, type VerifyResult } from '@twofa/core';
import type { Store } from '@twofa/core/adapter';
import { FakeClock } from '@twofa/testkit';
import { isWebAuthnChallenge, webauthn, type WebAuthnOptions } from '@twofa/webauthn';
import { SoftAuthenticator, type Ceremony } from './soft-authenticator.js';

export const RP_ID = 'example.com';
export const ORIGIN = 'https://example.com';
export const KEY = 'd4'.repeat(32);

/** A manager with TOTP, WebAuthn and recovery codes on MemoryStore (or `store`), a fake clock, and every event recorded. */
export function setup(options: Partial<WebAuthnOptions> = {}, store: Store = new MemoryStore(), policy?: PolicyInput) {
  const clock = new FakeClock();
  const events: { name: EventName; event: TwoFactorEvents[EventName] }[] = [];
  const twofa = createTwoFactor({
    issuer: 'Acme',
    store,
    clock,
    encryptionKeys: [KEY],
    methods: [totp(), webauthn({ rpID: RP_ID, origins: [ORIGIN], ...options }), recoveryCodes()],
    ...(policy ? { policy } : {}),
  });
  const names: EventName[] = ['verification.sent', 'verification.succeeded', 'verification.failed', 'user.locked', 'user.suspended', 'authenticator.enrolled', 'authenticator.removed', 'authenticator.anomaly', 'secret.unreadable'];
  for (const name of names) twofa.on(name, (event) => events.push({ name, event }));
  return { twofa, clock, store, events };
}

export type World = ReturnType<typeof setup>;

/** Enrolls and confirms `key` for `userId`; the enrollment's options and the confirmation. */
export async function register(w: World, userId: string, key: SoftAuthenticator, name?: string, ceremony: Partial<Ceremony> = {}) {
  const enrollment = await w.twofa.enroll(userId, 'webauthn', { userName: `${userId}@example.com`, ...(name ? { name } : {}) });
  const confirmed = await w.twofa.confirmEnrollment(userId, enrollment.id, key.register(enrollment.options, { origin: ORIGIN, ...ceremony }));
  if (!confirmed.ok) throw new Error(`registration failed: ${confirmed.error}`);
  return { enrollment, confirmed, id: confirmed.authenticatorId };
}

/** Opens a WebAuthn challenge: its id and the options for the browser. */
export async function challenge(w: World, userId: string) {
  const ch = await w.twofa.challenge(userId, { method: 'webauthn' });
  if (!isWebAuthnChallenge(ch)) throw new Error('not a WebAuthn challenge');
  return ch;
}

/** One login: a challenge, the key's assertion, the verify. */
export async function login(w: World, userId: string, key: SoftAuthenticator, ceremony: Partial<Ceremony> = {}): Promise<VerifyResult> {
  const ch = await challenge(w, userId);
  return w.twofa.verify(userId, { challengeId: ch.id, response: key.assert(ch.options, { origin: ORIGIN, ...ceremony }) });
}

export { SoftAuthenticator };
