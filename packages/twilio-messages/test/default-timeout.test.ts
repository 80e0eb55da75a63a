import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { twilioMessages } from '@twofa/twilio-messages';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, startTwilioFake, type TwilioFake } from '@twofa/testkit';

describe('default timeout', () => {
  let fake: TwilioFake;
  beforeAll(async () => {
    fake = await startTwilioFake();
  });
  afterAll(async () => {
    vi.useRealTimers();
    await fake.close();
  });

  it('a call that never answers fails with provider_unavailable at 10 s, not before', async () => {
    const s = twilioMessages({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550001', baseUrls: fake.baseUrls });
    fake.failNext('message', 'never_answer');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let settled: unknown = 'pending';
    const p = s.send({ to: '+15005550006', body: 'code 123456', channel: 'sms' }).then(
      () => (settled = 'resolved'),
      (e: unknown) => (settled = e),
    );
    // Let the request reach the fake (real I/O), then move the fake clock.
    // setImmediate is not faked, so this waits on real I/O without moving the fake clock.
    for (let i = 0; i < 100_000 && fake.server.requests.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(fake.server.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(9_990);
    expect(settled).toBe('pending');
    await vi.advanceTimersByTimeAsync(20);
    await p;
    expect(settled).toMatchObject({ code: 'provider_unavailable' });
  });
});
