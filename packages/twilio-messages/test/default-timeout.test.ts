import { afterAll, beforeAll, describe, it } from 'vitest';
import { twilioMessages } from '@twofa/twilio-messages';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, startTwilioFake, type TwilioFake } from '@twofa/testkit';
import { expectGivesUpAt } from '@twofa/testkit/conformance';

describe('default timeout', () => {
  let fake: TwilioFake;
  beforeAll(async () => {
    fake = await startTwilioFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('a call that never answers fails with provider_unavailable at 10 s, not before', async () => {
    const s = twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550001', baseUrls: fake.baseUrls });
    fake.failNext('message', 'never_answer');
    await expectGivesUpAt(10_000, () => s.send({ to: '+15005550006', body: 'code 123456', channel: 'sms' }), () => fake.server.requests.length > 0);
  });
});
