/**
 * Failover: what `failover([a, b])` adds to a start when `a` is down. `a` is a twilioVerify
 * on a Twilio fake whose start route always answers 503 at once (provider_unavailable,
 * retryable), `b` a twilioVerify on a second, healthy fake. The baseline is `b.start()`
 * called directly. With the breaker off every start pays `a`'s round trip first; with the
 * default breaker, once it has opened (3 failures) `a` is skipped and the cost is gone.
 * The breaker gets a FakeClock, so its 60 s cooldown cannot run out during the run.
 */
import { failover, type FailoverEvent, type Verifier } from '@twofa/core';
import { twilioVerify } from '@twofa/twilio';
import { FakeClock, TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake } from '@twofa/testkit';
import { bestOfRounds, fmt, type Measured } from './measure.js';

const OPS = 200;
const WARMUP = 300;
const TO = '+15005550006';

const ROUNDS = 10;

export async function run(): Promise<Record<string, number>> {
  const dead = await startTwilioFake();
  const healthy = await startTwilioFake();
  try {
    // Later routes win over the fake's own: every start on `dead` is an instant 503.
    dead.server.route('POST', '/v2/Services/:svc/Verifications', { status: 503, body: { code: 20500, message: 'down', status: 503 } });
    const a = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, baseUrls: dead.baseUrls, lookup: false });
    const b = twilioVerify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, serviceSid: SERVICE_SID, baseUrls: healthy.baseUrls, lookup: false });

    const noBreaker = failover([a, b], { breaker: false });
    const clock = new FakeClock();
    const events: FailoverEvent['type'][] = [];
    const withBreaker = failover([a, b], { clock, onEvent: (e) => events.push(e.type) });

    const start = (v: Verifier, owner: string) => async () => {
      const s = await v.start({ to: TO, channel: 'sms' });
      if (!s.id.startsWith(owner)) throw new Error(`bench: start answered by the wrong provider (${s.id.slice(0, 4)}…)`);
    };

    // Open the breaker before measuring: 3 retryable failures of `a` (default threshold).
    for (let i = 0; i < 3; i++) await start(withBreaker, '1:')();
    if (!events.includes('breaker_open')) throw new Error('bench: the breaker did not open after 3 failures');

    const reset = () => {
      healthy.verifications.clear(); // memory flat
      healthy.server.reset();
      dead.server.reset(); // recorded requests only; the 503 route stays
    };
    let deadHitsWithBreaker = 0;
    const breakerOpen = start(withBreaker, '1:');
    const [direct, off, on] = await bestOfRounds(
      [
        ['b.start() directly (baseline)', start(b, 'VE')],
        ['failover([503, b], breaker off): start', start(noBreaker, '1:')],
        [
          'failover([503, b], breaker open): start',
          async () => {
            const before = dead.server.requests.length;
            await breakerOpen();
            deadHitsWithBreaker += dead.server.requests.length - before;
          },
        ],
      ],
      { ops: OPS, rounds: ROUNDS, warmup: WARMUP, reset },
    );
    reset();
    if (deadHitsWithBreaker !== 0) throw new Error(`bench: the open breaker still let ${deadHitsWithBreaker} starts reach the dead provider`);
    if (events.includes('breaker_closed')) throw new Error('bench: the breaker closed during the run');

    const offRatio = direct!.opsPerSec / off!.opsPerSec;
    const onRatio = direct!.opsPerSec / on!.opsPerSec;
    const addedUs = (ms: Measured) => (1000 / ms.opsPerSec - 1000 / direct!.opsPerSec) * 1000;
    console.log(`  failover, breaker off, vs b.start(): ${fmt(offRatio, 2)}× (adds ${fmt(addedUs(off!))} µs per start)`);
    console.log(`  failover, breaker open, vs b.start(): ${fmt(onRatio, 2)}× (adds ${fmt(addedUs(on!))} µs per start; dead provider called 0 times)`);
    return { offRatio, onRatio, directOps: direct!.opsPerSec, breakerOffOps: off!.opsPerSec, breakerOpenOps: on!.opsPerSec };
  } finally {
    await dead.close();
    await healthy.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
