import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, startTwilioFake } from '@twofa/testkit';
import { runSenderTests } from '@twofa/testkit/conformance';
import { twilioMessages } from '@twofa/twilio';

const TIMEOUT_MS = 300;

runSenderTests('twilioMessages (official client → scripted Twilio fake)', async () => {
  const fake = await startTwilioFake();
  return {
    sender: twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550001', timeoutMs: TIMEOUT_MS, baseUrls: fake.baseUrls }),
    to: '+15005550006',
    channel: 'sms',
    secrets: [AUTH_TOKEN, Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')],
    timeoutMs: TIMEOUT_MS,
    script: (s) => fake.failNext('message', s.fail),
    delivered: () => fake.messages.map((m) => m.body),
    close: () => fake.close(),
  };
});
