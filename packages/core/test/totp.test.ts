import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTwoFactor, MemoryStore, totp, recoveryCodes } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { KEY_A, setup, withTotp } from './helpers.js';

/** A random source that hands out `secret` when asked for a secret-sized buffer. */
function seeded(secret: Buffer) {
  return (n: number) => (n === secret.length ? Uint8Array.from(secret) : Uint8Array.from(Buffer.alloc(n, n)));
}

async function rfcUser(secret: Buffer, algorithm: 'sha1' | 'sha256' | 'sha512', digits: 6 | 8, start: number) {
  const clock = new FakeClock(start);
  let counter = 0;
  const base = seeded(secret);
  // Unique ids for records, the RFC secret for the TOTP secret.
  const random = (n: number) => (n === secret.length ? base(n) : Uint8Array.from(Buffer.alloc(n, ++counter % 256)));
  const twofa = createTwoFactor({
    issuer: 'RFC',
    store: new MemoryStore(),
    clock,
    random,
    encryptionKeys: [KEY_A],
    methods: [totp({ algorithm, digits, secretBytes: secret.length }), recoveryCodes()],
  });
  const e = await twofa.enroll('rfc', 'totp');
  return { twofa, clock, secret: e.secret, id: e.id };
}

describe('TOTP test vectors', () => {
  // RFC 4226 Appendix D: HOTP(counter) for the ASCII secret "12345678901234567890".
  // TOTP at t = counter * 30 s is HOTP(counter), so the vectors run through the TOTP method.
  const hotp = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

  it('accepts every RFC 4226 HOTP value at its counter (confirm + later steps)', async () => {
    const { twofa, clock, id } = await rfcUser(Buffer.from('12345678901234567890'), 'sha1', 6, 0);
    const first = await twofa.confirmEnrollment('rfc', id, hotp[0]!);
    expect(first.ok).toBe(true);
    for (let c = 1; c < hotp.length; c++) {
      clock.set(c * 30_000);
      const r = await twofa.verify('rfc', { method: 'totp', code: hotp[c]! });
      expect(r, `counter ${c}`).toMatchObject({ ok: true, method: 'totp' });
    }
  });

  // RFC 6238 Appendix B (8 digits).
  const table: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  const secrets = {
    sha1: Buffer.from('12345678901234567890'),
    sha256: Buffer.from('12345678901234567890123456789012'),
    sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
  };
  for (const [algorithm, col] of [['sha1', 1], ['sha256', 2], ['sha512', 3]] as const) {
    it(`accepts the RFC 6238 ${algorithm} vectors`, async () => {
      const { twofa, clock, id } = await rfcUser(secrets[algorithm], algorithm, 8, table[0]![0] * 1000);
      const first = await twofa.confirmEnrollment('rfc', id, table[0]![col]);
      expect(first.ok).toBe(true);
      for (const row of table.slice(1)) {
        clock.set(row[0] * 1000);
        expect(await twofa.verify('rfc', { method: 'totp', code: row[col] }), `t=${row[0]}`).toMatchObject({ ok: true, method: 'totp' });
      }
    });
  }
});

describe('TOTP behaviour', () => {
  it('refuses a replayed code and any earlier step, accepts the next step', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    const code = ctx.totpCode(secret);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code })).ok).toBe(true);
    expect(await ctx.twofa.verify('u1', { method: 'totp', code })).toMatchObject({ ok: false, error: 'invalid_code' });
    // The previous step is inside the ±1 window but older than the last used one.
    const previous = ctx.totpCode(secret, ctx.clock.now() - 30_000);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: previous })).ok).toBe(false);
    ctx.clock.advanceSeconds(30);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret) })).ok).toBe(true);
  });

  it('accepts ±1 step of drift and nothing beyond', async () => {
    const ctx = setup();
    const { secret } = await withTotp(ctx);
    const now = ctx.clock.now();
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret, now + 30_000) })).ok).toBe(true);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(secret, now + 90_000) })).ok).toBe(false);
  });

  it('enrolls with a 160-bit secret, an otpauth URI with issuer and label, and an SVG QR code', async () => {
    const ctx = setup();
    const e = await ctx.twofa.enroll('u1', 'totp', { label: 'alice@example.com' });
    expect(String(e.secret)).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 chars = 160 bits
    const uri = new URL(String(e.uri));
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(uri.pathname)).toContain('Acme:alice@example.com');
    expect(uri.searchParams.get('issuer')).toBe('Acme');
    expect(uri.searchParams.get('secret')).toBe(e.secret);
    expect(String(e.qrSvg)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('supports SHA-256 with 8 digits', async () => {
    const ctx = setup({ methods: [totp({ algorithm: 'sha256', digits: 8 }), recoveryCodes()] });
    const e = await ctx.twofa.enroll('u1', 'totp');
    const uri = new URL(String(e.uri));
    expect(uri.searchParams.get('algorithm')).toBe('SHA256');
    expect(uri.searchParams.get('digits')).toBe('8');
    const { generateSync } = await import('otplib');
    const code = generateSync({ secret: String(e.secret), algorithm: 'sha256', digits: 8, epoch: ctx.clock.now() / 1000 });
    expect(code).toHaveLength(8);
    expect((await ctx.twofa.confirmEnrollment('u1', e.id, code)).ok).toBe(true);
  });

  it('counts only after confirmation: an unconfirmed TOTP is not a method yet', async () => {
    const ctx = setup();
    await ctx.twofa.enroll('u1', 'totp');
    expect((await ctx.twofa.methods('u1')).find((m) => m.method === 'totp')?.status).toBe('pending');
    await expect(ctx.twofa.challenge('u1', { method: 'totp' })).rejects.toMatchObject({ code: 'not_enrolled' });
    await expect(ctx.twofa.verify('u1', { method: 'totp', code: '123456' })).rejects.toMatchObject({ code: 'not_enrolled' });
  });

  it('a second app works beside the first, each with its own replay step; removing one leaves the other', async () => {
    const ctx = setup();
    const first = await withTotp(ctx, 'u1', 'Phone');
    const e = await ctx.twofa.enroll('u1', 'totp', { name: 'Tablet' });
    expect(e.secret).not.toBe(first.secret);
    // Pending: the new one does not verify yet, the old one does.
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(e.secret) })).ok).toBe(false);
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(first.secret) })).toMatchObject({ ok: true, authenticatorId: first.id });
    const r = await ctx.twofa.confirmEnrollment('u1', e.id, ctx.totpCode(e.secret));
    expect(r).toEqual({ ok: true, method: 'totp', authenticatorId: e.id }); // no second set of recovery codes
    ctx.clock.advanceSeconds(30);
    // The same step from each app is accepted once per app.
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(first.secret) })).toMatchObject({ ok: true, authenticatorId: first.id });
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(e.secret) })).toMatchObject({ ok: true, authenticatorId: e.id });
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(e.secret) })).ok).toBe(false);
    const listed = await ctx.twofa.methods('u1');
    expect(listed.map((a) => [a.method, a.name ?? null])).toEqual([['totp', 'Phone'], ['totp', 'Tablet'], ['recovery', null]]);
    expect(await ctx.twofa.remove('u1', first.id)).toEqual({ removed: [first.id] }); // recovery codes stay: a primary is left
    ctx.clock.advanceSeconds(30);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(first.secret) })).ok).toBe(false);
    expect((await ctx.twofa.verify('u1', { method: 'totp', code: ctx.totpCode(e.secret) })).ok).toBe(true);
  });

  it('a new enrollment replaces the pending one of its method', async () => {
    const ctx = setup();
    const a = await ctx.twofa.enroll('u1', 'totp');
    const b = await ctx.twofa.enroll('u1', 'totp');
    await expect(ctx.twofa.confirmEnrollment('u1', a.id, ctx.totpCode(a.secret))).rejects.toMatchObject({ code: 'no_pending_enrollment' });
    expect((await ctx.twofa.confirmEnrollment('u1', b.id, ctx.totpCode(b.secret))).ok).toBe(true);
  });

  it('refuses more apps than maxPerUser, and names are checked', async () => {
    const ctx = setup({ methods: [totp({ maxPerUser: 1 }), recoveryCodes()] });
    await withTotp(ctx);
    await expect(ctx.twofa.enroll('u1', 'totp')).rejects.toMatchObject({ code: 'authenticator_limit' });
    await expect(ctx.twofa.enroll('u2', 'totp', { name: 'x\uD800' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(ctx.twofa.enroll('u2', 'totp', { name: 'n'.repeat(65) })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('rename changes the name shown by methods()', async () => {
    const ctx = setup();
    const { id } = await withTotp(ctx);
    await ctx.twofa.rename('u1', id, 'Old phone');
    expect((await ctx.twofa.methods('u1'))[0]).toMatchObject({ id, name: 'Old phone' });
    await expect(ctx.twofa.rename('u1', 'nope', 'x')).rejects.toMatchObject({ code: 'not_enrolled' });
  });

  it('an expired enrollment cannot be confirmed', async () => {
    const ctx = setup();
    const e = await ctx.twofa.enroll('u1', 'totp');
    ctx.clock.advanceSeconds(901);
    const r = await ctx.twofa.confirmEnrollment('u1', e.id, ctx.totpCode(e.secret));
    expect(r).toMatchObject({ ok: false, error: 'expired' });
  });
});

describe('a code two steps share', () => {
  // For RFC 4226's key, steps 56188870 and 56188871 both give 617002 (found by search; about
  // one adjacent pair in a million collides). After the first is used, the second must still pass.
  it('is accepted at the later step when the earlier one was used', async () => {
    const clock = new FakeClock(56_188_871 * 30_000 + 1_000);
    const twofa = createTwoFactor({ issuer: 'RFC', store: new MemoryStore(), clock, encryptionKeys: [KEY_A], methods: [totp(), recoveryCodes()] });
    await twofa.importAuthenticator('u', { method: 'totp', data: { secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' }, lastUsedStep: 56_188_870 });
    expect(await twofa.verify('u', { method: 'totp', code: '617002' })).toMatchObject({ ok: true });
    expect(await twofa.verify('u', { method: 'totp', code: '617002' })).toMatchObject({ ok: false, error: 'invalid_code' }); // and once only
  });
});

describe('oathtool interop', () => {
  it('accepts codes oathtool generates for a secret the SDK enrolled, and refuses the replay', async () => {
    const ctx = setup();
    const e = await ctx.twofa.enroll('u1', 'totp');
    const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    const oath = (ms: number) =>
      execFileSync('oathtool', ['--totp', '--base32', `--now=${at(ms)}`, String(e.secret)], { encoding: 'utf8' }).trim();
    const first = oath(ctx.clock.now());
    expect(first).toMatch(/^\d{6}$/);
    expect((await ctx.twofa.confirmEnrollment('u1', e.id, first)).ok).toBe(true);
    ctx.clock.advanceSeconds(30);
    const second = oath(ctx.clock.now());
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: second })).toMatchObject({ ok: true, method: 'totp' });
    expect(await ctx.twofa.verify('u1', { method: 'totp', code: second })).toMatchObject({ ok: false, error: 'invalid_code' });
  });
});
