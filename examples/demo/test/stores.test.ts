import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { FakeClock } from '@twofa/testkit';
import { loadConfig } from '../src/config.js';
import { startDemo } from '../src/start.js';

// The demo on the real servers this machine (and CI) runs: what TWOFA_STORE=redis|postgres
// gives. twofa's state must survive a restart of the app when the keys stay the same.
const servers = {
  redis: { TWOFA_STORE: 'redis', REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  postgres: { TWOFA_STORE: 'postgres', DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
};

describe.each(Object.entries(servers))('the demo on %s', (_name, env) => {
  it('keeps enrollments across a restart with the same keys, and refuses to start without keys', async () => {
    expect(() => loadConfig({ ...env, PORT: '0' })).toThrow(/TWOFA_ENCRYPTION_KEYS/);
    const config = loadConfig({ ...env, PORT: '0', TWOFA_ENCRYPTION_KEYS: `demo:${randomBytes(32).toString('hex')}` });
    const clock = new FakeClock();
    const userId = `demo-test-${randomBytes(6).toString('hex')}`;

    const first = await startDemo({ config, clock, log: () => {} });
    let secret: string;
    try {
      expect(first.notes).toContain(`store: ${env.TWOFA_STORE}`);
      const e = await first.twofa.enroll(userId, 'totp', { label: 'restart test' });
      secret = e.secret;
      const ok = await first.twofa.confirmEnrollment(userId, e.id, await generate({ secret, epoch: clock.now() / 1000 }));
      expect(ok.ok).toBe(true);
    } finally {
      await first.close();
    }

    const second = await startDemo({ config, clock, log: () => {} });
    try {
      const methods = await second.twofa.methods(userId);
      expect(methods.filter((m) => m.status === 'active').map((m) => m.method).sort()).toEqual(['recovery', 'totp']);
      clock.advance(30_000);
      expect(await second.twofa.verify(userId, { method: 'totp', code: await generate({ secret, epoch: clock.now() / 1000 }) })).toMatchObject({ ok: true, method: 'totp' });
      await second.twofa.reset(userId, { actor: 'test', reason: 'leave the shared server clean' });
    } finally {
      await second.close();
    }
  });
});
