import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { FakeClock } from '@twofa/testkit';
import { createMinimalServer, makeTwoFactor } from '../src/server.js';

const clock = new FakeClock();
const server = createMinimalServer(makeTwoFactor(clock));
let base = '';

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const call = async (path: string, body: unknown) => {
  const res = await fetch(base + path, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const code = (secret: string) => generate({ secret, epoch: clock.now() / 1000 });

describe('the login challenge over bare node:http', () => {
  let secret = '';

  it('enrolls and confirms an authenticator app, returning recovery codes once', async () => {
    const e = await call('/enroll', { userId: 'u1' });
    secret = e.json.secret as string;
    expect(e.json.uri).toMatch(/^otpauth:\/\/totp\/Acme:u1\?/);
    const c = await call('/confirm', { userId: 'u1', enrollmentId: e.json.id, code: await code(secret) });
    expect(c.json.ok).toBe(true);
    expect(c.json.recoveryCodes).toHaveLength(10);
  });

  it('answers a wrong code with attempts left, and a right one with ok', async () => {
    clock.advance(30_000);
    expect((await call('/verify', { userId: 'u1', code: '000000' })).json).toEqual({ ok: false, error: 'invalid_code', attemptsLeft: 4 });
    expect((await call('/verify', { userId: 'u1', code: await code(secret) })).json).toMatchObject({ ok: true, method: 'totp' });
  });

  it('sends a phone code through a challenge and checks it by challenge id', async () => {
    const lines: string[] = [];
    const orig = console.log;
    console.log = (l: string) => void lines.push(l); // the console sender's output
    try {
      const e = (await call('/enroll', { userId: 'u2', method: 'phone', phoneNumber: '+12015550123' })).json;
      expect(e.destination).toBe('+1 ••• ••• 0123');
      const enrolCode = /(\d{6})/.exec(lines.at(-1)!)![1];
      expect((await call('/confirm', { userId: 'u2', enrollmentId: e.id, code: enrolCode })).json.ok).toBe(true);
      clock.advance(181_000);
      const ch = await call('/challenge', { userId: 'u2' });
      expect(ch.json).toMatchObject({ method: 'phone', channel: 'sms', destination: '+1 ••• ••• 0123' });
      const sent = /(\d{6})/.exec(lines.at(-1)!)![1];
      expect((await call('/verify', { userId: 'u2', challengeId: ch.json.id, code: sent })).json).toMatchObject({ ok: true, method: 'phone' });
    } finally {
      console.log = orig;
    }
  });

  it('reports SDK errors by their stable code only', async () => {
    expect(await call('/verify', { code: '123456' })).toEqual({ status: 400, json: { error: 'invalid_input' } });
    expect(await call('/challenge', { userId: 'nobody' })).toEqual({ status: 400, json: { error: 'not_enrolled' } });
    expect((await call('/nope', {})).status).toBe(404);
  });
});
