import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MemoryStore, createTwoFactor, phone, type PhoneMethod, type TwoFactor } from '@twofa/core';
import { twilioVerify } from '@twofa/twilio';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake, type TwilioFake } from '@twofa/testkit';

describe("phone({ lineTypes: ['mobile'] }) with twilioVerify's Lookup", () => {
  let fake: TwilioFake;
  let twofa: TwoFactor<readonly [PhoneMethod]>;
  beforeAll(async () => {
    fake = await startTwilioFake();
    fake.lineTypes.set('+14155552671', 'landline');
    fake.lineTypes.set('+14155552672', 'nonFixedVoip');
    const verifier = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, timeoutMs: 2000, baseUrls: fake.baseUrls });
    twofa = createTwoFactor({
      issuer: 'Acme',
      store: new MemoryStore(),
      encryptionKeys: [randomBytes(32).toString('hex')],
      methods: [phone({ verifier, lineTypes: ['mobile'], numbers: { defaultRegion: 'US' } })],
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('refuses a landline and a VoIP number before any code is sent', async () => {
    await expect(twofa.enroll('u1', 'phone', { phoneNumber: '+14155552671' })).rejects.toMatchObject({ code: 'line_type_not_allowed' });
    await expect(twofa.enroll('u2', 'phone', { phoneNumber: '+14155552672' })).rejects.toMatchObject({ code: 'line_type_not_allowed' });
    expect(fake.verifications.size).toBe(0);
  });

  it('accepts a mobile number and sends the code', async () => {
    const r = await twofa.enroll('u3', 'phone', { phoneNumber: '+14155552673' });
    expect(r).toMatchObject({ method: 'phone', channel: 'sms' });
    expect(fake.lastCode('+14155552673')).toMatch(/^\d{6}$/);
  });
});
