/**
 * Vonage adapters: one start+check through vonageVerify against the same calls on the
 * bare official client, and one send through vonageSms against a bare sms.send. Both
 * sides use `new Vonage(...)` with the same options (hosts, 10 s timeout) against the same
 * local Vonage fake, so the ratio is the adapter's own cost (validation, timeout race,
 * failure reading). Verify v2 signs an RS256 JWT on every call on both sides, which
 * dominates a start+check, so that ratio should sit near 1.
 */
import { Vonage } from '@vonage/server-sdk';
import { vonageSms, vonageVerify } from '@twofa/vonage';
import { VONAGE_API_KEY as API_KEY, VONAGE_API_SECRET as API_SECRET, VONAGE_APPLICATION_ID as APPLICATION_ID, startVonageFake } from '@twofa/testkit';
import { bestOfRounds, fmt } from './measure.js';

/** Per round; a JWT-signed start+check (two RSA signatures) costs ~10× a send, so it runs fewer. */
const VERIFY_OPS = 120;
const SEND_OPS = 300;
const WARMUP = 100;
/** Vonage numbers go without the '+'; the adapters take E.164 and strip it. */
const TO = '447700900000';
const FROM = 'Bench';
const BRAND = 'Bench';
const TEXT = 'Your Bench code is 123456.';
/** What the adapters pass to `new Vonage(...)` by default (timeoutMs 10 000), given to the bare clients too. */
const TIMEOUT_MS = 10_000;

/** More and shorter rounds than twilio.ts: a JWT-signed start+check is ~4 ms, and CPU contention otherwise swings the ratio. */
const ROUNDS = 6;

export async function run(): Promise<Record<string, number>> {
  const fake = await startVonageFake({ concurrent: 'allow' });
  try {
    const jwtClient = new Vonage({ applicationId: APPLICATION_ID, privateKey: fake.privateKey }, { apiHost: fake.url, timeout: TIMEOUT_MS });
    const smsClient = new Vonage({ apiKey: API_KEY, apiSecret: API_SECRET }, { restHost: fake.url, timeout: TIMEOUT_MS });
    const verifier = vonageVerify({ applicationId: APPLICATION_ID, privateKey: fake.privateKey, brand: BRAND, baseUrls: fake.baseUrls });
    const sender = vonageSms({ apiKey: API_KEY, apiSecret: API_SECRET, from: FROM, baseUrls: fake.baseUrls });

    const bareVerify = async () => {
      const params = { brand: BRAND, workflow: [{ channel: 'sms', to: TO }], codeLength: 6 };
      const { requestId } = await jwtClient.verify2.newRequest(params as Parameters<Vonage['verify2']['newRequest']>[0]);
      if ((await jwtClient.verify2.checkCode(requestId, fake.lastCode(TO)!)) !== 'completed') throw new Error('bench: bare check not completed');
    };
    const adapterVerify = async () => {
      const s = await verifier.start({ to: `+${TO}`, channel: 'sms' });
      if ((await verifier.check({ id: s.id, code: fake.lastCode(TO)! })) !== 'approved') throw new Error('bench: check not approved');
    };
    const bareSend = async () => {
      const r = await smsClient.sms.send({ to: TO, from: FROM, text: TEXT });
      if (!r.messages?.[0]?.messageId) throw new Error('bench: bare send returned no message id');
    };
    const adapterSend = async () => {
      await sender.send({ to: `+${TO}`, body: TEXT, channel: 'sms' });
    };

    const reset = () => {
      fake.requests.clear(); // keeps lastCode() cheap and memory flat
      fake.messages.length = 0;
      fake.server.reset();
    };
    const [bv, av] = await bestOfRounds([['bare vonage client: newRequest+checkCode', bareVerify], ['vonageVerify: start+check', adapterVerify]], { ops: VERIFY_OPS, rounds: ROUNDS, warmup: WARMUP, reset });
    const [bs, as] = await bestOfRounds([['bare vonage client: sms.send', bareSend], ['vonageSms: send', adapterSend]], { ops: SEND_OPS, rounds: ROUNDS, warmup: WARMUP, reset });
    reset();

    const verifyRatio = bv!.opsPerSec / av!.opsPerSec;
    const sendRatio = bs!.opsPerSec / as!.opsPerSec;
    const addedUs = (1000 / av!.opsPerSec - 1000 / bv!.opsPerSec) * 1000;
    const addedSendUs = (1000 / as!.opsPerSec - 1000 / bs!.opsPerSec) * 1000;
    console.log(`  vonageVerify start+check vs bare client: ${fmt(verifyRatio, 2)}× (adds ${fmt(addedUs)} µs per start+check)`);
    console.log(`  vonageSms send vs bare client:           ${fmt(sendRatio, 2)}× (adds ${fmt(addedSendUs)} µs per send)`);
    return { verifyRatio, sendRatio, adapterVerifyOps: av!.opsPerSec, bareVerifyOps: bv!.opsPerSec };
  } finally {
    await fake.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
