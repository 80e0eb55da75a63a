import { afterAll, beforeAll, describe, it } from 'vitest';
import { startVonageFake, VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_APPLICATION_ID, type VonageFake } from '@twofa/testkit';
import { expectGivesUpAt } from '@twofa/testkit/conformance';
import { vonageVerify } from '@twofa/vonage';
import { vonageSms } from '@twofa/vonage';

describe('default timeout (Vonage adapters)', () => {
  let fake: VonageFake;
  beforeAll(async () => {
    fake = await startVonageFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  const cases = [
    ['vonageVerify start', 'start', () => vonageVerify({ applicationId: VONAGE_APPLICATION_ID, privateKey: fake.privateKey, brand: 'Acme', baseUrls: fake.baseUrls }).start({ to: '+447700900000', channel: 'sms' })],
    ['vonageSms send', 'sms', () => vonageSms({ apiKey: VONAGE_API_KEY, apiSecret: VONAGE_API_SECRET, from: 'Acme', baseUrls: fake.baseUrls }).send({ to: '+447700900000', body: 'code 1', channel: 'sms' })],
  ] as const;

  it.each(cases)('%s that never answers fails with provider_unavailable at 10 s, not before', async (_label, op, call) => {
    fake.server.reset();
    fake.failNext(op, 'never_answer');
    await expectGivesUpAt(10_000, call, () => fake.server.requests.length > 0);
  });
});
