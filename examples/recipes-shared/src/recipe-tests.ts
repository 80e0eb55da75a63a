// The HTTP test every framework recipe passes: the same requests and answers over a real
// socket on 127.0.0.1, so the three recipes cannot drift apart. Time moves on a FakeClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { FakeClock } from '@twofa/testkit';
import { recipeTwoFactor, USER_HEADER, type RecipeTwoFactor } from './twofa.js';

/** A recipe's server, listening on 127.0.0.1. */
export interface RunningRecipe {
  url: string;
  close(): Promise<void>;
}

/** Runs the recipe test on the server `start` brings up for a manager. */
export function runRecipeTests(name: string, start: (twofa: RecipeTwoFactor) => Promise<RunningRecipe>): void {
  describe(`${name}: the twofa recipe over HTTP`, () => {
    const clock = new FakeClock();
    let server: RunningRecipe;
    beforeAll(async () => {
      server = await start(recipeTwoFactor(clock));
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });
    afterAll(() => server?.close());

    const call = async (method: 'GET' | 'POST', path: string, user: string | undefined, body?: unknown) => {
      const res = await fetch(server.url + path, {
        method,
        headers: { ...(user ? { [USER_HEADER]: user } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> & { methods?: { method: string; status: string }[] } };
    };
    const totpCode = (secret: string) => generate({ secret, epoch: Math.floor(clock.now() / 1000) });
    let secret = '';
    let codes: string[] = [];

    it('asks for the password step first', async () => {
      expect(await call('POST', '/api/2fa/verify', undefined, { code: '123456' })).toMatchObject({ status: 401, json: { error: 'not_signed_in' } });
    });

    it('answers not_enrolled with 404 for a user without two-step sign-in', async () => {
      expect((await call('GET', '/api/2fa/methods', 'nobody')).json).toEqual({ methods: [] });
      const r = await call('POST', '/api/2fa/challenge', 'nobody', { method: 'totp' });
      expect(r).toMatchObject({ status: 404, json: { error: 'not_enrolled', message: expect.stringContaining('not set up') } });
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(await call('POST', '/api/2fa/verify', 'nobody', { method: 'totp', code: '123456' })).toMatchObject({ status: 404, json: { error: 'not_enrolled' } });
    });

    it('enrolls an authenticator app, refuses a wrong code with 401, confirms and shows the recovery codes once', async () => {
      const e = await call('POST', '/api/2fa/enroll', 'alice', { name: 'Phone' });
      expect(e.status).toBe(200);
      expect(e.json).toMatchObject({ id: expect.any(String), uri: expect.stringMatching(/^otpauth:\/\/totp\/Acme:alice\?/), qrSvg: expect.stringContaining('<svg') });
      secret = e.json.secret as string;
      const wrong = await call('POST', '/api/2fa/confirm', 'alice', { enrollmentId: e.json.id, code: '000000' });
      expect(wrong).toMatchObject({ status: 401, json: { ok: false, error: 'invalid_code', attemptsLeft: 4, message: "That code didn't work. 4 tries left." } });
      const ok = await call('POST', '/api/2fa/confirm', 'alice', { enrollmentId: e.json.id, code: await totpCode(secret) });
      expect(ok).toMatchObject({ status: 200, json: { ok: true, method: 'totp' } });
      codes = ok.json.recoveryCodes as string[];
      expect(codes).toHaveLength(10);
      expect((await call('GET', '/api/2fa/methods', 'alice')).json.methods?.map((m) => `${m.method}:${m.status}`)).toEqual(['totp:active', 'recovery:active']);
    });

    it('signs in through a challenge and its id, and with a method alone', async () => {
      clock.advanceSeconds(30);
      const ch = await call('POST', '/api/2fa/challenge', 'alice', { method: 'totp' });
      expect(ch).toMatchObject({ status: 200, json: { id: expect.any(String), method: 'totp' } });
      expect(await call('POST', '/api/2fa/verify', 'alice', { challengeId: ch.json.id, code: await totpCode(secret) })).toMatchObject({ status: 200, json: { ok: true, method: 'totp' } });
      clock.advanceSeconds(30);
      expect(await call('POST', '/api/2fa/verify', 'alice', { method: 'totp', code: await totpCode(secret) })).toMatchObject({ status: 200, json: { ok: true } });
    });

    it('signs in with a recovery code, once', async () => {
      expect(await call('POST', '/api/2fa/verify', 'alice', { method: 'recovery', code: codes[0] })).toMatchObject({ status: 200, json: { ok: true, method: 'recovery' } });
      expect(await call('POST', '/api/2fa/verify', 'alice', { method: 'recovery', code: codes[0] })).toMatchObject({ status: 401, json: { error: 'invalid_code' } });
    });

    it('maps bad input to 400 and a lockout to 423 with Retry-After, refusing even the right code', async () => {
      expect(await call('POST', '/api/2fa/verify', 'alice', { method: 'sms-pigeon', code: '123456' })).toMatchObject({ status: 400, json: { error: 'unknown_method' } });
      clock.advanceSeconds(30);
      let last = await call('POST', '/api/2fa/verify', 'alice', { method: 'totp', code: '000000' });
      for (let i = 0; i < 5 && last.status === 401; i++) last = await call('POST', '/api/2fa/verify', 'alice', { method: 'totp', code: '000000' });
      expect(last).toMatchObject({ status: 423, json: { ok: false, error: 'locked', retryAt: expect.any(Number) } });
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await call('POST', '/api/2fa/verify', 'alice', { method: 'totp', code: await totpCode(secret) })).status).toBe(423);
    });
  });
}
