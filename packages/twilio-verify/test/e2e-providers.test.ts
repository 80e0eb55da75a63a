import { localVerifier } from '@twofa/core';
import { runPhoneFlow, TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake } from '@twofa/testkit';
import { twilioVerify } from '@twofa/twilio-verify';
import { twilioMessages } from '@twofa/twilio-messages';

const secrets = [AUTH_TOKEN, Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')];
const creds = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, timeoutMs: 2000 };

runPhoneFlow('twilioVerify', async () => {
  const fake = await startTwilioFake();
  return {
    verifier: twilioVerify({ ...creds, serviceSid: SERVICE_SID, baseUrls: fake.baseUrls }),
    readCode: (to) => fake.lastCode(to),
    secrets,
    close: () => fake.close(),
  };
});

runPhoneFlow('localVerifier({ sender: twilioMessages })', async () => {
  const fake = await startTwilioFake();
  return {
    verifier: localVerifier({ sender: twilioMessages({ ...creds, from: '+15005550001', baseUrls: fake.baseUrls }) }),
    readCode: (to) => /\b\d{6}\b/.exec([...fake.messages].reverse().find((m) => m.to === to)?.body ?? '')?.[0],
    secrets,
    close: () => fake.close(),
  };
});
