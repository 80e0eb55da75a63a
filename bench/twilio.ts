/**
 * Twilio adapters: one start+check through twilioVerify against the same calls on the
 * bare official client, and one send through twilioMessages against a bare
 * messages.create. Both sides use the same client (given to the adapters as `client`) and
 * the same local Twilio fake, so the ratio is the adapter's own cost (validation, timeout
 * race, error mapping).
 */
import twilio from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient';
import { twilioMessages, twilioVerify } from '@twofa/twilio';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake } from '@twofa/testkit';
import { bestOfRounds, fmt } from './measure.js';

const OPS = 300;
const WARMUP = 200;
const TO = '+15005550006';

const ROUNDS = 3;

export async function run(): Promise<Record<string, number>> {
  const fake = await startTwilioFake();
  try {
    // Twilio's own RequestClient, with every Twilio origin sent to the fake.
    class ToFake extends twilio.RequestClient {
      override request<T>(opts: BaseRequestClient.RequestOptions<T>) {
        return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/[a-z]+\.twilio\.com/, fake.url) });
      }
    }
    const client = twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: new ToFake({ timeout: 10_000, autoRetry: false }) });
    const verifier = twilioVerify({ client, serviceSid: SERVICE_SID });
    const sender = twilioMessages({ client, from: '+15005550001' });

    const bareVerify = async () => {
      const v = await client.verify.v2.services(SERVICE_SID).verifications.create({ to: TO, channel: 'sms' });
      const c = await client.verify.v2.services(SERVICE_SID).verificationChecks.create({ verificationSid: v.sid, code: fake.lastCode(TO)! });
      if (c.status !== 'approved') throw new Error('bench: bare check not approved');
    };
    const adapterVerify = async () => {
      const s = await verifier.start({ to: TO, channel: 'sms' });
      if ((await verifier.check({ id: s.id, code: fake.lastCode(TO)! })) !== 'approved') throw new Error('bench: check not approved');
    };
    const bareSend = async () => {
      await client.messages.create({ to: TO, from: '+15005550001', body: 'Your Bench code is 123456.' });
    };
    const adapterSend = async () => {
      await sender.send({ to: TO, body: 'Your Bench code is 123456.', channel: 'sms' });
    };

    const reset = () => {
      fake.verifications.clear(); // keeps lastCode() O(1)-ish and memory flat
      fake.messages.length = 0;
      fake.server.reset();
    };
    const o = { ops: OPS, rounds: ROUNDS, warmup: WARMUP, reset };
    const [bv, av] = await bestOfRounds([['bare twilio client: start+check', bareVerify], ['twilioVerify: start+check', adapterVerify]], o);
    const [bs, as] = await bestOfRounds([['bare twilio client: messages.create', bareSend], ['twilioMessages: send', adapterSend]], o);

    const verifyRatio = bv!.opsPerSec / av!.opsPerSec;
    const sendRatio = bs!.opsPerSec / as!.opsPerSec;
    const addedUs = (1000 / av!.opsPerSec - 1000 / bv!.opsPerSec) * 1000;
    console.log(`  twilioVerify start+check vs bare client: ${fmt(verifyRatio, 2)}× (adds ${fmt(addedUs)} µs per start+check)`);
    console.log(`  twilioMessages send vs bare client:      ${fmt(sendRatio, 2)}×`);
    return { verifyRatio, sendRatio, adapterVerifyOps: av!.opsPerSec, bareVerifyOps: bv!.opsPerSec };
  } finally {
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
