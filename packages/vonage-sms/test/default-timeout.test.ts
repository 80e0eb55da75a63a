import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startVonageFake, VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_APPLICATION_ID, type VonageFake } from '@twofa/testkit';
import { vonageVerify } from '@twofa/vonage-verify';
import { vonageSms } from '@twofa/vonage-sms';

describe('default timeout (Vonage adapters)', () => {
  let fake: VonageFake;
  beforeAll(async () => {
    fake = await startVonageFake();
  });
  afterAll(async () => {
    vi.useRealTimers();
    await fake.close();
  });

  const cases = [
    ['vonageVerify start', 'start', () => vonageVerify({ applicationId: VONAGE_APPLICATION_ID, privateKey: fake.privateKey, brand: 'Acme', apiHost: fake.url }).start({ to: '+447700900000', channel: 'sms' })],
    ['vonageSms send', 'sms', () => vonageSms({ apiKey: VONAGE_API_KEY, apiSecret: VONAGE_API_SECRET, from: 'Acme', restHost: fake.url }).send({ to: '+447700900000', body: 'code 1', channel: 'sms' })],
  ] as const;

  it.each(cases)('%s that never answers fails with provider_unavailable at 10 s, not before', async (_label, op, call) => {
    fake.server.reset();
    fake.failNext(op, 'never_answer');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled: unknown = 'pending';
      const p = call().then(
        () => (settled = 'resolved'),
        (e: unknown) => (settled = e),
      );
      // setImmediate is not faked: this waits on real I/O (the request reaching the fake) without moving the fake clock.
      for (let i = 0; i < 100_000 && fake.server.requests.length === 0; i++) await new Promise((r) => setImmediate(r));
      expect(fake.server.requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(9_990);
      expect(settled).toBe('pending');
      await vi.advanceTimersByTimeAsync(20);
      await p;
      expect(settled).toMatchObject({ code: 'provider_unavailable' });
    } finally {
      vi.useRealTimers();
    }
  });
});
