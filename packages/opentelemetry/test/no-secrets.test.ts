import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTwoFactorError } from '@twofa/core';
import { Attr, hashUserId } from '@twofa/opentelemetry';
import { exportedText, startOtel, type Otel } from './harness.js';
import { E164, manager, NATIONAL, wrong, type Manager } from './setup.js';

const USER = 'alice.smith@example.com'; // user ids are often email addresses
const HASH_KEY = 'telemetry-user-hash-key-0123456789';

/**
 * Drives everything a user does through two instrumented managers (phone codes by
 * localVerifier over consoleSender, and by testkit's fakeVerifier), keeps every secret the
 * flow shows or takes, then searches all that the SDK would export for each of them.
 */
describe('nothing secret is exported', () => {
  let otel: Otel;
  const secrets = new Set<string>();
  const keep = (...values: (string | undefined)[]) => values.forEach((v) => v && secrets.add(v));

  async function drive(c: Manager, userId: string): Promise<void> {
    const app = await c.twofa.enroll(userId, 'totp', { label: 'alice@example.com', name: 'Alice work phone' });
    keep(app.secret, app.uri, app.qrSvg);
    const bad = wrong(c.totpCode(app.secret));
    keep(bad);
    expect((await c.twofa.confirmEnrollment(userId, app.id, bad)).ok).toBe(false);
    const good = c.totpCode(app.secret);
    keep(good);
    const confirmed = await c.twofa.confirmEnrollment(userId, app.id, good);
    if (!confirmed.ok) throw new Error('totp confirmation failed');
    keep(...(confirmed.recoveryCodes ?? []));
    c.clock.advanceSeconds(30);
    keep(c.totpCode(app.secret));
    expect((await c.twofa.verify(userId, { method: 'totp', code: c.totpCode(app.secret) })).ok).toBe(true);

    const mobile = await c.twofa.enroll(userId, 'phone', { phoneNumber: NATIONAL, name: 'Personal mobile' });
    keep(c.phoneCode());
    expect((await c.twofa.confirmEnrollment(userId, mobile.id, c.phoneCode())).ok).toBe(true);
    c.clock.advanceSeconds(181);
    const ch = await c.twofa.challenge(userId, { method: 'phone', channel: 'sms' });
    const code = c.phoneCode();
    keep(code, wrong(code));
    await c.twofa.verify(userId, { challengeId: ch.id, code: wrong(code) });
    // Text a user might type instead of a code, and a made-up method.
    keep('hunter2-password', 'drop-table');
    await c.twofa.verify(userId, { challengeId: ch.id, code: 'hunter2-password' });
    await c.twofa.verify(userId, { method: 'drop-table', code: '1' }).catch((e: unknown) => expect(isTwoFactorError(e, 'unknown_method')).toBe(true));
    expect((await c.twofa.verify(userId, { challengeId: ch.id, code })).ok).toBe(true);

    const fresh = await c.twofa.regenerateRecoveryCodes(userId);
    keep(...fresh);
    expect((await c.twofa.verify(userId, { method: 'recovery', code: fresh[0]! })).ok).toBe(true);
    await c.twofa.remove(userId, mobile.id);
  }

  beforeAll(async () => {
    otel = startOtel();
    await drive(manager(otel, { verifier: 'local' }), USER);
    await drive(manager(otel, { verifier: 'fake', hashUserIds: { key: HASH_KEY } }), USER);
    // The number as stored, as typed, its digits, and its national and subscriber parts.
    keep(E164, NATIONAL, E164.slice(1), '2015550123', '5550123', USER, 'alice', 'example.com', 'Alice work phone', 'Personal mobile');
  });
  afterAll(async () => {
    await otel.stop();
  });

  it('the flow sent real codes and the SDK exported spans and metrics for it', async () => {
    const names = new Set(otel.spans().map((s) => s.name));
    for (const n of ['twofa.enroll', 'twofa.confirm_enrollment', 'twofa.challenge', 'twofa.verify', 'twofa.remove', 'twofa.regenerate_recovery_codes', 'twofa.verifier.start', 'twofa.verifier.check', 'twofa.sender.send']) {
      expect(names.has(n), n).toBe(true);
    }
    const metrics = new Set((await otel.points()).map((p) => p.metric));
    expect([...metrics].sort()).toEqual(['twofa.provider.duration', 'twofa.sends', 'twofa.verifications']);
    expect([...secrets].filter((s) => /^\d{6}$/.test(s)).length).toBeGreaterThanOrEqual(8);
    expect([...secrets].filter((s) => /^[A-Z2-7]{16,}$/.test(s)).length).toBe(2); // the two TOTP secrets
  });

  it('no code, secret, number, typed text or user id is in any span or metric', async () => {
    const text = exportedText(otel.spans(), await otel.points());
    const found = [...secrets].filter((s) => text.includes(s));
    expect(found).toEqual([]);
  });

  it('the search finds a secret when one is there (it can fail)', async () => {
    const planted = otel.tracer.startSpan('planted', { attributes: { leaked: [...secrets][0]! } });
    planted.end();
    const text = exportedText(otel.spans(), await otel.points());
    expect([...secrets].filter((s) => text.includes(s))).toEqual([[...secrets][0]]);
  });

  it('only documented attribute keys are used', async () => {
    const allowed = new Set<string>(Object.values(Attr));
    const spans = otel.spans().filter((s) => s.name !== 'planted');
    const keys = new Set([
      ...spans.flatMap((s) => [...Object.keys(s.attributes), ...s.events.flatMap((e) => Object.keys(e.attributes ?? {}))]),
      ...(await otel.points()).flatMap((p) => Object.keys(p.attributes)),
    ]);
    expect([...keys].filter((k) => !allowed.has(k))).toEqual([]);
  });

  it('the user is on spans only when asked, and then only as a keyed hash, never on metrics', async () => {
    const ops = otel.spans().filter((s) => s.name.startsWith('twofa.') && !s.name.includes('.', 6));
    const hashed = ops.filter((s) => s.attributes[Attr.userHash] !== undefined);
    expect(hashed.length).toBeGreaterThan(0);
    expect(hashed.length).toBeLessThan(ops.length); // the first manager did not ask
    expect(new Set(hashed.map((s) => s.attributes[Attr.userHash]))).toEqual(new Set([hashUserId(USER, HASH_KEY)]));
    expect(otel.spans().filter((s) => s.name.startsWith('twofa.verifier') || s.name.startsWith('twofa.sender')).every((s) => s.attributes[Attr.userHash] === undefined)).toBe(true);
    expect((await otel.points()).every((p) => p.attributes[Attr.userHash] === undefined)).toBe(true);
  });
});
