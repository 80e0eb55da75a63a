import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, createTwoFactor, failover, phone } from '@twofa/core';
import type { Channel, CheckStatus, Verifier } from '@twofa/core/adapter';
import { expectNoSecrets, expectTwoFactorError } from './conformance-shared.js';
import { FakeClock } from './fake-clock.js';
import { fakeVerifier } from './fake-verifier.js';
import { EXPECTED_CODE, RETRY_AFTER_SECONDS, type ScriptedFailure } from './scripted-failures.js';

/** What the provider should answer to the next call of one kind. */
export type VerifierScript =
  /** The next check sees this provider state ('expired' = the provider no longer knows the id, e.g. Twilio 20404). */
  | { op: 'check'; status: Exclude<CheckStatus, 'canceled'> }
  /** The next cancel finds nothing to cancel (Twilio 20404). */
  | { op: 'cancel'; outcome: 'not_found' }
  /** The next call of `op` fails this way. */
  | { op: 'start' | 'check' | 'cancel'; fail: ScriptedFailure };

/** What an adapter hands the suite: a verifier wired to its fake provider, and a way to script it. */
export interface VerifierHarness {
  verifier: Verifier;
  /** Destination the suite starts verifications to (E.164, or an address for email). */
  to: string;
  /** A channel the verifier supports for `to`. */
  channel: Channel;
  /** Strings that must never appear in an error: credentials, codes, the full number. `to` is added. */
  secrets: string[];
  /** The per-call timeout the verifier was built with (keep it short, e.g. 300 ms). */
  timeoutMs: number;
  /** Script the provider's answer to the next call. Unscripted calls succeed ('pending' for check). */
  script(s: VerifierScript): void | Promise<void>;
  /** Failures this adapter cannot script (each is listed as skipped, with the reason). */
  unsupported?: Partial<Record<ScriptedFailure, string>>;
  /** Stops what the harness started. */
  close?(): Promise<void>;
}

const START_FAILURES: ScriptedFailure[] = [
  'invalid_destination',
  'send_limit',
  'channel_unsupported',
  'blocked',
  'rate_limited',
  'server_error',
  'never_answer',
  'stall_body',
  'connection_reset',
];
const CALL_FAILURES: ScriptedFailure[] = ['rate_limited', 'server_error', 'never_answer', 'stall_body', 'connection_reset'];

/**
 * Conformance suite for a Verifier. `make` is called once (beforeAll); the harness's fake
 * server must start each case from a clean script.
 */
export function runVerifierTests(name: string, make: () => Promise<VerifierHarness>): void {
  describe(`Verifier conformance: ${name}`, () => {
    let h: VerifierHarness;
    const secrets = () => [...h.secrets, h.to];
    const started = () => h.verifier.start({ to: h.to, channel: h.channel, locale: 'en' });

    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close?.();
    });

    it('has a name and lists the channel under test', () => {
      expect(typeof h.verifier.name).toBe('string');
      expect(h.verifier.name.length).toBeGreaterThan(0);
      expect(h.verifier.channels).toContain(h.channel);
    });

    it('start returns an id, the channel and a future expiry', async () => {
      const before = Date.now(); // not attached yet: the system clock
      const s = await started();
      expect(typeof s.id).toBe('string');
      expect(s.id.length).toBeGreaterThan(0);
      expect(s.channel).toBe(h.channel);
      expect(s.expiresAt).toBeGreaterThan(before);
      expect(s.id).not.toContain(h.to.replace(/\D/g, ''));
    });

    it('two starts give different ids', async () => {
      const a = await started();
      const b = await started();
      expect(a.id).not.toBe(b.id);
    });

    for (const status of ['approved', 'pending', 'expired', 'max_attempts'] as const) {
      it(`check reports '${status}'`, async () => {
        const s = await started();
        await h.script({ op: 'check', status });
        expect(await h.verifier.check({ id: s.id, code: '123456' })).toBe(status);
      });
    }

    it('cancel of an open verification resolves true', async () => {
      const s = await started();
      expect(await h.verifier.cancel(s.id)).toBe(true);
    });

    it('cancel of an unknown verification resolves false', async () => {
      const s = await started();
      await h.script({ op: 'cancel', outcome: 'not_found' });
      expect(await h.verifier.cancel(s.id)).toBe(false);
    });

    for (const fail of START_FAILURES) {
      const why = () => h.unsupported?.[fail];
      it(`start: provider '${fail}' → ${EXPECTED_CODE[fail]}`, async (ctx) => {
        if (why()) return ctx.skip(why());
        await h.script({ op: 'start', fail });
        const t0 = Date.now();
        const err = await expectTwoFactorError(started(), EXPECTED_CODE[fail]);
        const retryable = EXPECTED_CODE[fail] === 'rate_limited' || EXPECTED_CODE[fail] === 'provider_unavailable';
        expect(err.retryable).toBe(retryable);
        if (fail === 'rate_limited') expect(err.retryAfter).toBe(RETRY_AFTER_SECONDS);
        if (fail === 'never_answer' || fail === 'stall_body') expect(Date.now() - t0).toBeLessThan(h.timeoutMs + 2000);
        expectNoSecrets(err, secrets());
      });
    }

    for (const op of ['check', 'cancel'] as const) {
      for (const fail of CALL_FAILURES) {
        it(`${op}: provider '${fail}' → ${EXPECTED_CODE[fail]} (retryable)`, async (ctx) => {
          if (h.unsupported?.[fail]) return ctx.skip(h.unsupported[fail]);
          const s = await started();
          await h.script({ op, fail });
          const t0 = Date.now();
          const call = op === 'check' ? h.verifier.check({ id: s.id, code: '123456' }) : h.verifier.cancel(s.id);
          const err = await expectTwoFactorError(call, EXPECTED_CODE[fail]);
          expect(err.retryable).toBe(true);
          if (fail === 'rate_limited') expect(err.retryAfter).toBe(RETRY_AFTER_SECONDS);
          if (fail === 'never_answer' || fail === 'stall_body') expect(Date.now() - t0).toBeLessThan(h.timeoutMs + 2000);
          expectNoSecrets(err, [...secrets(), '123456']);
        });
      }
    }

    it('behind failover(), a start that stalls mid-body moves on: the next provider sends the one code', async () => {
      const next = fakeVerifier({ name: 'next', channels: [h.channel] });
      const both = failover([h.verifier, next], { breaker: false });
      await h.script({ op: 'start', fail: 'stall_body' });
      const s = await both.start({ to: h.to, channel: h.channel, locale: 'en' });
      expect(next.sent).toHaveLength(1);
      expect(s.id).toBe(`1:${next.sent[0]!.id}`);
      expect(await both.check({ id: s.id, code: next.lastCode()! })).toBe('approved');
    });

    it('a permanent refusal is not retryable', async (ctx) => {
      if (h.unsupported?.invalid_destination) return ctx.skip(h.unsupported.invalid_destination);
      await h.script({ op: 'start', fail: 'invalid_destination' });
      const err = await expectTwoFactorError(started(), 'invalid_destination');
      expect(err.retryable).toBe(false);
    });

    // Last: it leaves the verifier attached to a manager whose clock runs a day ahead.
    it("once createTwoFactor attaches it, expiresAt follows the manager's clock", async (ctx) => {
      if (!h.verifier.attach) return ctx.skip('the verifier has no attach(): it keeps no time of its own');
      const clock = new FakeClock(Date.now() + 86_400_000);
      createTwoFactor({ issuer: 'Conformance', store: new MemoryStore(), clock, insecureNoEncryption: true, methods: [phone({ verifier: h.verifier })] });
      const a = await started();
      const ttl = a.expiresAt - clock.now();
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(86_400_000);
      clock.advanceSeconds(3600);
      const b = await started();
      expect(b.expiresAt - clock.now()).toBe(ttl);
    });
  });
}
