import { afterAll, beforeAll, describe, it } from 'vitest';
import { twilioMessages, twilioVerify } from '@twofa/twilio';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake, type TwilioFake } from '@twofa/testkit';
import { expectGivesUpAt } from '@twofa/testkit/conformance';

describe('default timeout (Twilio adapters)', () => {
  let fake: TwilioFake;
  beforeAll(async () => {
    fake = await startTwilioFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  const credentials = () => ({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, baseUrls: fake.baseUrls });
  const cases = [
    ['twilioVerify start', 'start', () => twilioVerify({ ...credentials(), serviceSid: SERVICE_SID }).start({ to: '+15005550006', channel: 'sms' })],
    ['twilioMessages send', 'message', () => twilioMessages({ ...credentials(), from: '+15005550001' }).send({ to: '+15005550006', body: 'code 123456', channel: 'sms' })],
  ] as const;

  it.each(cases)('%s that never answers fails with provider_unavailable at 10 s, not before', async (_label, op, call) => {
    fake.server.reset();
    fake.failNext(op, 'never_answer');
    await expectGivesUpAt(10_000, call, () => fake.server.requests.length > 0);
  });
});
