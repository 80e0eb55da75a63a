import { startVonageFake, VONAGE_API_KEY, VONAGE_API_SECRET } from '@twofa/testkit';
import { runSenderTests } from '@twofa/testkit/conformance';
import { vonageSms } from '@twofa/vonage';

const TIMEOUT_MS = 300;

runSenderTests('vonageSms (official client → scripted Vonage fake)', async () => {
  const fake = await startVonageFake();
  return {
    sender: vonageSms({ apiKey: VONAGE_API_KEY, apiSecret: VONAGE_API_SECRET, from: 'Acme', timeoutMs: TIMEOUT_MS, baseUrls: fake.baseUrls }),
    to: '+447700900000',
    channel: 'sms',
    secrets: [VONAGE_API_SECRET, Buffer.from(`${VONAGE_API_KEY}:${VONAGE_API_SECRET}`).toString('base64')],
    timeoutMs: TIMEOUT_MS,
    script: (s) => fake.failNext('sms', s.fail),
    delivered: () => fake.messages.map((m) => m.text),
    close: () => fake.close(),
  };
});
