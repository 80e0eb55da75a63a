import { afterAll, beforeAll, describe, it } from 'vitest';
import { twilioVerify } from '@twofa/twilio-verify';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake, type TwilioFake } from '@twofa/testkit';
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
    const v = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, baseUrls: fake.baseUrls });
    fake.failNext('start', 'never_answer');
    await expectGivesUpAt(10_000, () => v.start({ to: '+15005550006', channel: 'sms' }), () => fake.server.requests.length > 0);
  });
});
