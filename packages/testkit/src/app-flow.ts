import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MemoryStore, createTwoFactor, phone, recoveryCodes, type PhoneMethod, type RecoveryCodesMethod, type TwoFactor, type Verifier } from '@twofa/core';
import { FakeClock } from './fake-clock.js';

/** What one provider setup hands the shared app-level flow. */
export interface PhoneFlowSetup {
  /** The verifier under test: a hosted one, or localVerifier({ sender }). */
  verifier: Verifier;
  /** Reads the code the user received at `to` (E.164), from the fake provider or fake sender. */
  readCode(to: string): string | undefined | Promise<string | undefined>;
  /** Credentials etc. that must never show in events, logs or errors. */
  secrets?: string[];
  /** Stops what the setup started. */
  close?(): Promise<void>;
}

const NUMBER_INPUT = '(415) 555-2671';
const E164 = '+14155552671';

function wrongCode(code: string): string {
  return code.split('').map((d) => String((Number(d) + 1) % 10)).join('');
}

/**
 * The same app-level flow for every provider: enroll a phone, confirm it, open a
 * challenge, send a wrong code (refused, nothing resent), then the right one. Only the
 * line that builds the verifier differs between providers.
 */
export function runPhoneFlow(name: string, make: () => Promise<PhoneFlowSetup>): void {
  describe(`app flow over phone: ${name}`, () => {
    let setup: PhoneFlowSetup;
    let twofa: TwoFactor<readonly [PhoneMethod, RecoveryCodesMethod]>;
    const clock = new FakeClock(Date.now());
    const seen: string[] = [];
    const codes: string[] = [];
    const userId = `user-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      setup = await make();
      twofa = createTwoFactor({
        issuer: 'Acme',
        store: new MemoryStore(),
        clock,
        encryptionKeys: [randomBytes(32).toString('hex')],
        methods: [
          phone({ verifier: setup.verifier, channels: ['sms'], numbers: { defaultRegion: 'US', allowedCountries: ['US', 'CA'] } }),
          recoveryCodes(),
        ],
        logger: { warn: (m) => seen.push(`log: ${m}`) },
      });
      for (const ev of ['verification.sent', 'verification.succeeded', 'verification.failed', 'user.locked', 'authenticator.enrolled'] as const) {
        twofa.on(ev, (e) => seen.push(`${ev}: ${JSON.stringify(e)}`));
      }
    });
    afterAll(async () => {
      await setup?.close?.();
    });

    it('enroll, confirm, challenge, wrong code, right code', async () => {
      const enrolled = await twofa.enroll(userId, 'phone', { phoneNumber: NUMBER_INPUT });
      expect(enrolled).toMatchObject({ method: 'phone', channel: 'sms' });
      const destination = enrolled.destination;
      expect(destination).toContain('71'); // masked, last digits kept
      expect(destination).not.toContain('5552671');

      const enrolCode = await setup.readCode(E164);
      if (enrolCode) codes.push(enrolCode);
      expect(enrolCode, 'the provider received no code for the number').toMatch(/^\d{4,10}$/);
      const confirmed = await twofa.confirmEnrollment(userId, enrolled.id, enrolCode!);
      expect(confirmed.ok).toBe(true);
      if (confirmed.ok) expect(confirmed.recoveryCodes?.length).toBeGreaterThan(0);
      expect((await twofa.methods(userId)).find((m) => m.method === 'phone')?.status).toBe('active');

      clock.advanceSeconds(181); // past the resend cooldown
      const ch = await twofa.challenge(userId, { method: 'phone' });
      expect(ch.method).toBe('phone');
      expect(ch.expiresAt).toBeGreaterThan(clock.now());
      const code = await setup.readCode(E164);
      expect(code).toMatch(/^\d{4,10}$/);
      codes.push(code!);

      const bad = await twofa.verify(userId, { challengeId: ch.id, code: wrongCode(code!) });
      expect(bad).toMatchObject({ ok: false, error: 'invalid_code' });
      if (!bad.ok) expect(bad.attemptsLeft).toBeGreaterThan(0);
      expect(await setup.readCode(E164)).toBe(code); // a wrong entry sends nothing new

      const good = await twofa.verify(userId, { challengeId: ch.id, code: code! });
      expect(good).toEqual({ ok: true, method: 'phone', authenticatorId: enrolled.id, proof: expect.any(String) });

      const again = await twofa.verify(userId, { challengeId: ch.id, code: code! });
      expect(again.ok).toBe(false);
    });

    it('events and logs carry no code, full number or credential', () => {
      expect(seen.some((s) => s.startsWith('verification.sent'))).toBe(true);
      expect(seen.some((s) => s.startsWith('verification.succeeded'))).toBe(true);
      const all = seen.join('\n');
      for (const s of [E164, E164.slice(1), '4155552671', ...(setup.secrets ?? [])]) expect(all).not.toContain(s);
      // A code alone, not as part of a longer number such as a timestamp.
      expect(codes.length).toBe(2);
      for (const c of codes) expect(all).not.toMatch(new RegExp(`(?<!\\d)${c}(?!\\d)`));
    });
  });
}
