import { localVerifier } from '@twofa/core';
import { startTwilioFake, startVonageFake, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SERVICE_SID, VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_APPLICATION_ID } from '@twofa/testkit';
import { runPhoneFlow } from '@twofa/testkit/conformance';
import { twilioMessages, twilioVerify } from '@twofa/twilio';
import { vonageSms, vonageVerify } from '@twofa/vonage';

/**
 * The same app-level flow (enroll a phone, confirm, challenge, wrong code, right code) with
 * each of the four providers, through the official clients against stateful fakes. Only
 * the line that builds the verifier differs: that is the one-line provider switch.
 */
const twilioSecrets = [TWILIO_AUTH_TOKEN, Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')];
const vonageSecrets = [VONAGE_API_SECRET, Buffer.from(`${VONAGE_API_KEY}:${VONAGE_API_SECRET}`).toString('base64')];
const twilio = { accountSid: TWILIO_ACCOUNT_SID, authToken: TWILIO_AUTH_TOKEN, timeoutMs: 2000 };
const lastText = (messages: { to: string; body?: string; text?: string }[], to: string) => {
  const m = [...messages].reverse().find((x) => x.to === to || x.to === to.replace(/^\+/, ''));
  return /\b\d{6}\b/.exec(m?.body ?? m?.text ?? '')?.[0];
};

runPhoneFlow('twilioVerify', async () => {
  const fake = await startTwilioFake();
  return {
    verifier: twilioVerify({ ...twilio, serviceSid: TWILIO_SERVICE_SID, baseUrls: fake.baseUrls }),
    readCode: (to) => fake.lastCode(to),
    secrets: twilioSecrets,
    close: () => fake.close(),
  };
});

runPhoneFlow('vonageVerify', async () => {
  const fake = await startVonageFake();
  return {
    verifier: vonageVerify({ applicationId: VONAGE_APPLICATION_ID, privateKey: fake.privateKey, brand: 'Acme', timeoutMs: 2000, baseUrls: fake.baseUrls }),
    readCode: (to) => fake.lastCode(to),
    secrets: [fake.privateKey.split('\n')[1]!],
    close: () => fake.close(),
  };
});

runPhoneFlow('localVerifier({ sender: twilioMessages })', async () => {
  const fake = await startTwilioFake();
  return {
    verifier: localVerifier({ sender: twilioMessages({ ...twilio, from: '+15005550001', baseUrls: fake.baseUrls }) }),
    readCode: (to) => lastText(fake.messages, to),
    secrets: twilioSecrets,
    close: () => fake.close(),
  };
});

runPhoneFlow('localVerifier({ sender: vonageSms })', async () => {
  const fake = await startVonageFake();
  return {
    verifier: localVerifier({ sender: vonageSms({ apiKey: VONAGE_API_KEY, apiSecret: VONAGE_API_SECRET, from: 'Acme', timeoutMs: 2000, baseUrls: fake.baseUrls }) }),
    readCode: (to) => lastText(fake.messages.map((m) => ({ to: m.to, text: m.text })), to),
    secrets: vonageSecrets,
    close: () => fake.close(),
  };
});
