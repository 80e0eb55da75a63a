import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failover } from '@twofa/core';
import type { Channel, MessageSender } from '@twofa/core/adapter';
import { expectNoSecrets, expectTwoFactorError } from './conformance-shared.js';
import { fakeSender } from './fake-verifier.js';
import { EXPECTED_CODE, RETRY_AFTER_SECONDS, type ScriptedFailure } from './scripted-failures.js';

/** A failure the harness scripts on its provider for the next send. */
export type SenderScript = { fail: ScriptedFailure };

/** What a MessageSender adapter hands the suite. */
export interface SenderHarness {
  sender: MessageSender;
  /** Destination the suite sends to (E.164). */
  to: string;
  channel: Channel;
  /** Credentials etc. that must never appear in an error. `to` and the message body are added. */
  secrets: string[];
  timeoutMs: number;
  /** Script the provider's answer to the next send. Unscripted sends succeed. */
  script(s: SenderScript): void | Promise<void>;
  /** Message texts the provider received, oldest first. */
  delivered(): string[] | Promise<string[]>;
  unsupported?: Partial<Record<ScriptedFailure, string>>;
  /** Stops what the harness started. */
  close?(): Promise<void>;
}

const FAILURES: ScriptedFailure[] = [
  'invalid_destination',
  'blocked',
  'rate_limited',
  'server_error',
  'never_answer',
  'stall_body',
  'connection_reset',
];

/** Conformance suite for a MessageSender. */
export function runSenderTests(name: string, make: () => Promise<SenderHarness>): void {
  describe(`MessageSender conformance: ${name}`, () => {
    let h: SenderHarness;
    let n = 0;
    // A fresh code-like body per call, so a leak of the body is detectable.
    const body = () => `Your Acme verification code is ${String(481_000 + ++n).padStart(6, '0')}.`;

    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close?.();
    });

    it('has a name and lists the channel under test', () => {
      expect(h.sender.name.length).toBeGreaterThan(0);
      expect(h.sender.channels).toContain(h.channel);
    });

    it('send delivers the exact text and returns a provider id', async () => {
      const text = body();
      const r = await h.sender.send({ to: h.to, body: text, channel: h.channel });
      expect(typeof r.id).toBe('string');
      expect(r.id.length).toBeGreaterThan(0);
      expect((await h.delivered()).at(-1)).toBe(text);
    });

    it('delivers non-ASCII text unchanged', async () => {
      const text = `Votre code de vérification Café est ${String(700_000 + ++n)}. Ne le partagez pas. 🔐`;
      await h.sender.send({ to: h.to, body: text, channel: h.channel });
      expect((await h.delivered()).at(-1)).toBe(text);
    });

    for (const fail of FAILURES) {
      it(`send: provider '${fail}' → ${EXPECTED_CODE[fail]}`, async (ctx) => {
        if (h.unsupported?.[fail]) return ctx.skip(h.unsupported[fail]);
        await h.script({ fail });
        const text = body();
        const t0 = Date.now();
        const err = await expectTwoFactorError(h.sender.send({ to: h.to, body: text, channel: h.channel }), EXPECTED_CODE[fail]);
        const retryable = EXPECTED_CODE[fail] === 'rate_limited' || EXPECTED_CODE[fail] === 'provider_unavailable';
        expect(err.retryable).toBe(retryable);
        if (fail === 'rate_limited') expect(err.retryAfter).toBe(RETRY_AFTER_SECONDS);
        if (fail === 'never_answer' || fail === 'stall_body') expect(Date.now() - t0).toBeLessThan(h.timeoutMs + 2000);
        const code = /\d{6}/.exec(text)![0];
        expectNoSecrets(err, [...h.secrets, h.to, text, code]);
      });
    }

    it('behind failover(), a send that stalls mid-body moves on: the next sender delivers the one copy', async () => {
      const next = fakeSender({ name: 'next', channels: [h.channel] });
      const both = failover([h.sender, next], { breaker: false });
      await h.script({ fail: 'stall_body' });
      const before = (await h.delivered()).length;
      const text = body();
      const r = await both.send({ to: h.to, body: text, channel: h.channel });
      expect(next.sent.map((m) => m.body)).toEqual([text]);
      expect(r.id).toBe(`1:${next.sent[0]!.id}`);
      expect(await h.delivered()).toHaveLength(before);
    });
  });
}
