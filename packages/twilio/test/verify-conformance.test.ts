import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake, type TwilioFake } from '@twofa/testkit';
import { runVerifierTests } from '@twofa/testkit/conformance';
import { twilioVerify } from '@twofa/twilio';

const TIMEOUT_MS = 300;

runVerifierTests('twilioVerify (official client → scripted Twilio fake)', async () => {
  const fake: TwilioFake = await startTwilioFake();
  const to = '+15005550006';
  return {
    verifier: twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, timeoutMs: TIMEOUT_MS, baseUrls: fake.baseUrls }),
    to,
    channel: 'sms',
    secrets: [AUTH_TOKEN, Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')],
    timeoutMs: TIMEOUT_MS,
    script(s) {
      if ('fail' in s) return fake.failNext(s.op, s.fail);
      if (s.op === 'cancel') return fake.answerNext('cancel', { status: 404, body: { code: 20404, message: 'not found', status: 404 } });
      const answers = {
        approved: { status: 200, body: { sid: 'VE1', status: 'approved', valid: true } },
        pending: { status: 200, body: { sid: 'VE1', status: 'pending', valid: false } },
        expired: { status: 404, body: { code: 20404, message: 'The requested resource was not found', status: 404 } },
        max_attempts: { status: 429, body: { code: 60202, message: 'Max check attempts reached', status: 429 } },
      } as const;
      fake.answerNext('check', answers[s.status]);
    },
    close: () => fake.close(),
  };
});
