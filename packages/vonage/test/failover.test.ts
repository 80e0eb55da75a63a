import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, createTwoFactor, failover, localVerifier, phone, type TwoFactor, type Verifier } from '@twofa/core';
import { startVonageFake, VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_APPLICATION_ID, type VonageFake } from '@twofa/testkit';
import { vonageSms, vonageVerify } from '@twofa/vonage';

/**
 * The hardening issue's case, end to end: the first provider's answer stalls mid-body, so
 * failover() must move on, the second provider sends the one code, and the user confirms
 * with it. Two Vonage fakes stand for two providers (accounts, regions) behind one.
 */
const TO = '+14155552671';
const TIMEOUT_MS = 300;

describe('failover() past a provider whose answer stalls mid-body', () => {
  let first: VonageFake;
  let second: VonageFake;
  beforeAll(async () => {
    [first, second] = await Promise.all([startVonageFake(), startVonageFake()]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });
  beforeEach(() => {
    for (const f of [first, second]) {
      f.server.reset();
      f.requests.clear();
      f.messages.length = 0;
    }
  });

  const app = (verifier: Verifier) =>
    createTwoFactor({ issuer: 'Acme', store: new MemoryStore(), insecureNoEncryption: true, methods: [phone({ verifier, channels: ['sms'] })] });
  const started = (f: VonageFake, path: string) => f.server.requests.filter((r) => r.method === 'POST' && r.path === path).length;

  it('hosted verifiers: the second sends the only code, and it confirms the phone', async () => {
    const hosted = (f: VonageFake) =>
      vonageVerify({ applicationId: VONAGE_APPLICATION_ID, privateKey: f.privateKey, brand: 'Acme', timeoutMs: TIMEOUT_MS, baseUrls: f.baseUrls });
    const twofa = app(failover([hosted(first), hosted(second)]));
    first.failNext('start', 'stall_body');

    const e1 = await twofa.enroll('u1', 'phone', { phoneNumber: TO });
    expect(started(first, '/v2/verify')).toBe(1);
    expect(started(second, '/v2/verify')).toBe(1);
    expect(second.requests.size).toBe(1);
    const code = second.lastCode(TO);
    expect(code).toMatch(/^\d{6}$/);
    expect(await twofa.confirmEnrollment('u1', e1.id, code!)).toMatchObject({ ok: true, method: 'phone' });
  });

  it('senders behind localVerifier: the second delivers the only text, and its code confirms the phone', async () => {
    const sms = (f: VonageFake) => vonageSms({ apiKey: VONAGE_API_KEY, apiSecret: VONAGE_API_SECRET, from: 'Acme', timeoutMs: TIMEOUT_MS, baseUrls: f.baseUrls });
    const twofa = app(localVerifier({ sender: failover([sms(first), sms(second)]) }));
    first.failNext('sms', 'stall_body');

    const e2 = await twofa.enroll('u2', 'phone', { phoneNumber: TO });
    expect(started(first, '/sms/json')).toBe(1);
    expect(first.messages).toHaveLength(0);
    expect(second.messages).toHaveLength(1);
    const code = /\b\d{6}\b/.exec(second.messages[0]!.text)?.[0];
    expect(await twofa.confirmEnrollment('u2', e2.id, code!)).toMatchObject({ ok: true, method: 'phone' });
  });
});
