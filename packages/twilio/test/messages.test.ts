import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { twilioMessages } from '@twofa/twilio';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_MESSAGING_SERVICE_SID as MESSAGING_SERVICE_SID, startTwilioFake, type TwilioFake } from '@twofa/testkit';

const TO = '+15005550006';

describe('twilioMessages on the Twilio fake', () => {
  let fake: TwilioFake;
  beforeAll(async () => {
    fake = await startTwilioFake();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.server.reset();
    fake.messages.length = 0;
  });

  it('posts To, From and Body to the account Messages resource', async () => {
    const s = twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550001', baseUrls: fake.baseUrls });
    const r = await s.send({ to: TO, body: 'Your Acme code is 246810.', channel: 'sms' });
    expect(r.id).toMatch(/^SM/);
    const req = fake.server.requests.at(-1)!;
    expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(req.form).toEqual({ To: TO, From: '+15005550001', Body: 'Your Acme code is 246810.' });
  });

  it('uses MessagingServiceSid instead of From when given', async () => {
    const s = twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, messagingServiceSid: MESSAGING_SERVICE_SID, baseUrls: fake.baseUrls });
    await s.send({ to: TO, body: 'x 111111', channel: 'sms' });
    expect(fake.messages).toEqual([{ to: TO, body: 'x 111111', messagingServiceSid: MESSAGING_SERVICE_SID }]);
  });

  it('prefixes whatsapp: on both ends for the whatsapp channel, only when enabled', async () => {
    const s = twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550001', channels: ['sms', 'whatsapp'], baseUrls: fake.baseUrls });
    await s.send({ to: TO, body: 'x 222222', channel: 'whatsapp' });
    expect(fake.messages.at(-1)).toMatchObject({ to: `whatsapp:${TO}`, from: 'whatsapp:+15005550001' });
    const smsOnly = twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550001', baseUrls: fake.baseUrls });
    await expect(smsOnly.send({ to: TO, body: 'x', channel: 'whatsapp' })).rejects.toMatchObject({ code: 'channel_unsupported' });
  });

  it('maps 21614 (not a mobile number) and 21408 (region not enabled)', async () => {
    const s = twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550001', baseUrls: fake.baseUrls });
    fake.answerNext('message', { status: 400, body: { code: 21614, message: `'To' number ${TO} is not a valid mobile number`, status: 400 } });
    await expect(s.send({ to: TO, body: 'x', channel: 'sms' })).rejects.toMatchObject({ code: 'invalid_destination', providerCode: 21614 });
    fake.answerNext('message', { status: 400, body: { code: 21408, message: 'Permission to send an SMS has not been enabled', status: 400 } });
    await expect(s.send({ to: TO, body: 'x', channel: 'sms' })).rejects.toMatchObject({ code: 'blocked', providerCode: 21408 });
  });
});
