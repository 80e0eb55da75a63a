import { generateSync } from 'otplib';
import { consoleSender, createTwoFactor, localVerifier, MemoryStore, phone, recoveryCodes, totp, type PolicyInput, type Verifier } from '@twofa/core';
import type { OutgoingMessage } from '@twofa/core/adapter';
import { FakeClock, fakeVerifier } from '@twofa/testkit';
import { instrumentSender, instrumentTwoFactor, instrumentVerifier, type HashUserIds } from '@twofa/opentelemetry';
import type { Otel } from './harness.js';

export const KEY = 'a'.repeat(64);
/** As a user types it; its E.164 form is +12015550123. */
export const NATIONAL = '(201) 555-0123';
export const E164 = '+12015550123';

export interface ManagerOptions {
  /** 'fake': testkit's fakeVerifier; 'local': localVerifier over consoleSender (both instrumented). */
  verifier?: 'fake' | 'local';
  /** With 'local': whether the sender is instrumented too (default true). */
  instrumentSender?: boolean;
  /** Instead of the above: this verifier, instrumented. */
  custom?: Verifier;
  policy?: PolicyInput;
  hashUserIds?: HashUserIds;
  lineType?: string;
}

/** A manager on MemoryStore and a FakeClock, instrumented with the test SDK's tracer and meter. */
export function manager(otel: Otel, o: ManagerOptions = {}) {
  const telemetry = { tracer: otel.tracer, meter: otel.meter };
  const clock = new FakeClock();
  const outbox: OutgoingMessage[] = [];
  const fake = instrumentVerifier(fakeVerifier({ clock, ...(o.lineType ? { lineType: o.lineType } : {}) }), telemetry);
  const console_ = consoleSender({ write: () => {}, onMessage: (m) => outbox.push(m) });
  const sender = o.instrumentSender === false ? console_ : instrumentSender(console_, telemetry);
  const verifier = o.custom ? instrumentVerifier(o.custom, telemetry) : o.verifier === 'local' ? instrumentVerifier(localVerifier({ sender }), telemetry) : fake;
  const bare = createTwoFactor({
    issuer: 'Acme',
    store: new MemoryStore(),
    clock,
    encryptionKeys: [KEY],
    methods: [
      totp(),
      phone({ verifier, channels: ['sms', 'call'], numbers: { defaultRegion: 'US' }, ...(o.lineType ? { lineTypes: ['mobile'] } : {}) }),
      recoveryCodes(),
    ],
    ...(o.policy ? { policy: o.policy } : {}),
  });
  const twofa = instrumentTwoFactor(bare, { ...telemetry, ...(o.hashUserIds ? { hashUserIds: o.hashUserIds } : {}) });
  return {
    clock,
    bare,
    twofa,
    fake,
    outbox,
    /** The code the phone received last. */
    phoneCode: () => (o.verifier === 'local' ? /\b\d{6}\b/.exec(outbox.at(-1)?.body ?? '')?.[0] : fake.lastCode()) ?? '',
    totpCode: (secret: string) => generateSync({ secret, epoch: Math.floor(clock.now() / 1000) }),
  };
}

export type Manager = ReturnType<typeof manager>;

/** A code of the same length that is surely wrong. */
export const wrong = (code: string) => code.replace(/\d/g, (d) => String((Number(d) + 1) % 10));

/** Enrolls and confirms TOTP for `userId`; moves past the confirming step. */
export async function withTotp(c: Manager, userId = 'u1') {
  const e = await c.twofa.enroll(userId, 'totp', { label: 'alice@example.com', name: 'Work phone app' });
  const r = await c.twofa.confirmEnrollment(userId, e.id, c.totpCode(e.secret));
  if (!r.ok) throw new Error(`confirm failed: ${r.error}`);
  c.clock.advanceSeconds(30);
  return { secret: e.secret, uri: e.uri, recoveryCodes: r.recoveryCodes ?? [] };
}

/** Enrolls and confirms a phone for `userId`; moves past the resend cooldown. */
export async function withPhone(c: Manager, userId = 'u1') {
  const e = await c.twofa.enroll(userId, 'phone', { phoneNumber: NATIONAL, name: 'Personal mobile' });
  const code = c.phoneCode();
  const r = await c.twofa.confirmEnrollment(userId, e.id, code);
  if (!r.ok) throw new Error(`confirm failed: ${r.error}`);
  c.clock.advanceSeconds(181);
  return { id: e.id, code, recoveryCodes: r.recoveryCodes ?? [] };
}
