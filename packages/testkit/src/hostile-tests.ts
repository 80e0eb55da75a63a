import fc from 'fast-check';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSender, createTwoFactor, isTwoFactorError, localVerifier, normaliseRecoveryCode, phone, recoveryCodes, totp, type TwoFactor } from '@twofa/core';
import type { Store } from '@twofa/core/adapter';
import { FakeClock } from './fake-clock.js';
import type { StoreFixture } from './store-tests.js';

/** Options of `runHostileInputTests()`. */
export interface HostileTestOptions {
  /** Random calls per property. Default 3000. */
  runs?: number;
  /** A call that takes longer than this counts as a hang. Default 2000 ms. */
  hangMs?: number;
}

const KEY = 'b2'.repeat(32);
const PHONE = '+12015550123';

/** Strings an attacker would try: any UTF-16 (lone surrogates too), control characters, huge, lookalike digits, near-misses. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', 'alice\uD800', 'alice\uFFFD', 'global', '\u0001global', 'lv:x', 'dest:y', '__proto__', 'constructor', '{a}', '%7b', 'totp', 'recovery', 'phone', '../..', 'x'.repeat(5000)),
  fc.stringMatching(/^[0-9 -]{0,12}$/),
  fc.constantFrom('١٢٣٤٥٦', '１２３４５６', '123\u0000456', '12345６'),
);
const anything = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.object({ maxDepth: 2 }), fc.array(text, { maxLength: 3 }));

interface World {
  twofa: TwoFactor;
  clock: FakeClock;
  secret: string;
  recovery: string[];
  sent: string[];
  events: unknown[];
  warnings: string[];
  callerText: Set<string>;
}

/** Whether `out` holds `s`; a string of digits only counts standing alone (a 6-digit code is not "in" a timestamp). */
function holds(out: string, s: string): boolean {
  if (!/^\d+$/.test(s)) return out.includes(s);
  return new RegExp(`(?<!\\d)${s}(?!\\d)`).test(out);
}

/**
 * Drives the public API with thousands of hostile calls on one store and finds: no throw
 * that is not a TwoFactorError, no hang, no wrong code or token accepted, and no code,
 * secret, full number or caller text in events, logs or error messages.
 *
 *   runHostileInputTests('redis', async () => ({ store: redisStore({ url }), cleanup }));
 */
export function runHostileInputTests(name: string, makeStore: () => Promise<StoreFixture> | StoreFixture, options: HostileTestOptions = {}): void {
  const runs = options.runs ?? 3000;
  const hangMs = options.hangMs ?? 2000;

  describe(`hostile input: ${name}`, () => {
    let fixture: StoreFixture;
    let w: World;
    const victim = `victim-${Date.now().toString(36)}`;

    beforeAll(async () => {
      fixture = await makeStore();
      const store: Store = fixture.store;
      const clock = new FakeClock();
      const sent: string[] = [];
      const events: unknown[] = [];
      const warnings: string[] = [];
      const twofa = createTwoFactor({
        issuer: 'Hostile',
        store,
        clock,
        encryptionKeys: [KEY],
        logger: { warn: (m) => warnings.push(m) },
        methods: [totp(), phone({ verifier: localVerifier({ sender: consoleSender({ write: () => {}, onMessage: (m) => sent.push(m.body) }) }), channels: ['sms', 'call'] }), recoveryCodes()],
        policy: { lockoutAfter: 1_000_000, hourlyMaxAttempts: 1_000_000, maxConsecutiveFailures: 1_000_000, maxAttempts: 1_000_000, resendAfterSeconds: 0, sendLimits: { perUser: { max: 1_000_000 }, perDestination: { max: 1_000_000 }, global: { max: 1_000_000 } } },
      });
      for (const e of ['verification.sent', 'verification.succeeded', 'verification.failed', 'user.locked', 'user.suspended', 'authenticator.enrolled', 'authenticator.removed', 'secret.unreadable'] as const) {
        twofa.on(e, (ev) => events.push(ev));
      }
      const e = await twofa.enroll(victim, 'totp', { label: 'victim@example.com' });
      const ok = await twofa.confirmEnrollment(victim, e.id, generateSync({ secret: e.secret, epoch: Math.floor(clock.now() / 1000) }));
      if (!ok.ok || !ok.recoveryCodes) throw new Error('setup failed');
      const p = await twofa.enroll(victim, 'phone', { phoneNumber: PHONE });
      await twofa.confirmEnrollment(victim, p.id, /\d{6}/.exec(sent.at(-1)!)![0]);
      w = { twofa, clock, secret: e.secret, recovery: ok.recoveryCodes, sent, events, warnings, callerText: new Set() };
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    /**
     * Runs one call: it must settle in time, and a throw must be a TwoFactorError whose
     * message holds nothing it must not. `input` is caller text that must never come back;
     * the user id is left out of it (events name the user by design).
     */
    async function call<T>(what: () => Promise<T>, input: unknown[]): Promise<T | undefined> {
      for (const v of input) if (typeof v === 'string' && v.length >= 8) w.callerText.add(v);
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hang: no answer in ${hangMs} ms`)), hangMs)));
      try {
        return await Promise.race([what(), hang]);
      } catch (e) {
        if (!isTwoFactorError(e)) throw new Error(`not a TwoFactorError: ${String(e)} (input ${JSON.stringify(input).slice(0, 200)})`);
        expectClean(e.message, input);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    }

    function secrets(): string[] {
      return [w.secret, PHONE, PHONE.slice(2), ...w.recovery, ...w.recovery.map((c) => c.replace(/-/g, '')), ...w.sent.map((b) => /\d{6}/.exec(b)?.[0] ?? '').filter(Boolean)];
    }

    function expectClean(out: string, input: unknown[] = []): void {
      for (const s of secrets()) expect(holds(out, s), `leaked a secret into: ${out.slice(0, 120)}`).toBe(false);
      for (const v of input) if (typeof v === 'string' && v.length >= 8 && !/^[\w.:-]+$/.test(v)) expect(out.includes(v), `echoed caller text: ${out.slice(0, 120)}`).toBe(false);
    }

    /** Codes the victim could legitimately type right now. */
    function validTotp(): Set<string> {
      const t = Math.floor(w.clock.now() / 1000);
      return new Set([-30, 0, 30].map((d) => generateSync({ secret: w.secret, epoch: t + d })));
    }

    it(`verify: ${runs} hostile answers accept nothing wrong`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('totp', 'recovery', 'phone') }, { weight: 1, arbitrary: text }), fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: anything }), fc.option(text, { nil: undefined, freq: 3 }), fc.option(anything, { nil: undefined, freq: 2 }), async (method, code, challengeId, userId) => {
          const uid = userId === undefined ? victim : userId;
          const input = challengeId === undefined ? { method, code } : { challengeId, code };
          const r = await call(() => w.twofa.verify(uid as string, input as never), [method, code, challengeId]);
          if (r?.ok) {
            const c = String(code).replace(/[\s-]/g, '');
            const fine = (r.method === 'totp' && validTotp().has(c)) || (r.method === 'recovery' && w.recovery.some((x) => normaliseRecoveryCode(x) === normaliseRecoveryCode(String(code))));
            expect(fine, `accepted ${JSON.stringify(input)} for ${r.method}`).toBe(true);
          }
          w.clock.advance(1_000);
        }),
        { numRuns: runs },
      );
    });

    it(`enroll, confirm, challenge, remove, devices: ${runs} hostile calls give typed answers`, async () => {
      const ops = fc.oneof(
        fc.tuple(fc.constant('enroll'), anything, anything, anything),
        fc.tuple(fc.constant('confirm'), anything, anything, anything),
        fc.tuple(fc.constant('challenge'), anything, anything, anything),
        fc.tuple(fc.constant('remove'), anything, anything, anything),
        fc.tuple(fc.constant('remember'), anything, anything, anything),
        fc.tuple(fc.constant('isRemembered'), anything, anything, anything),
        fc.tuple(fc.constant('methods'), anything, anything, anything),
        fc.tuple(fc.constant('rename'), anything, anything, anything),
      );
      await fc.assert(
        fc.asyncProperty(ops, fc.boolean(), async ([op, a, b, c], onVictim) => {
          const user = (onVictim ? `${victim}-other` : a) as string;
          const t = w.twofa;
          const run: Record<string, () => Promise<unknown>> = {
            enroll: () => t.enroll(user, b as never, c as never),
            confirm: () => t.confirmEnrollment(user, b as string, c),
            challenge: () => t.challenge(user, b as never),
            remove: () => t.remove(user, b as string),
            remember: () => t.rememberDevice(user, b as never),
            isRemembered: async () => {
              const yes = await t.isDeviceRemembered(victim, b);
              expect(yes, 'a forged device token was accepted').toBe(false);
              return yes;
            },
            methods: () => t.methods(user),
            rename: () => t.rename(user, b as string, c as string),
          };
          await call(run[op]!, onVictim ? [a, b, c] : [b, c]);
        }),
        { numRuns: runs },
      );
      // The victim is still exactly as enrolled: nothing hostile changed another user.
      expect((await w.twofa.methods(victim)).map((m) => [m.method, m.status])).toEqual([
        ['totp', 'active'],
        ['phone', 'active'],
        ['recovery', 'active'],
      ]);
    });

    it('events and logs hold no code, secret, full number or caller text', () => {
      const out = JSON.stringify(w.events) + w.warnings.join('\n');
      expect(w.events.length).toBeGreaterThan(runs / 20); // the calls did reach the counting and comparing
      for (const s of secrets()) expect(holds(out, s), `leaked ${s.slice(0, 3)}…`).toBe(false);
      // Caller text that became a user id is named by events on purpose; anything else must not come back.
      const userIds = new Set(w.events.map((e) => (e as { userId: string }).userId));
      for (const v of w.callerText) if (!/^[\w.:-]+$/.test(v) && !userIds.has(v)) expect(out.includes(v), `echoed caller text ${JSON.stringify(v.slice(0, 20))}`).toBe(false);
    });
  });
}
