import { describe, expect, it } from 'vitest';
import { MemoryStore } from '@twofa/core';
import type { Store } from '@twofa/core/adapter';
import { webauthn } from '@twofa/webauthn';
import { challenge, login, ORIGIN, register, RP_ID, setup, SoftAuthenticator } from './helpers.js';
import type { Ceremony } from './soft-authenticator.js';

/** Ceremonies refused at registration and at login alike; `otherType` is the other ceremony's clientData type. */
const wrongCeremonies = (otherType: string): [string, Partial<Ceremony>][] => [
  ['another origin', { origin: 'https://evil.example' }],
  ['another RP ID', { rpId: 'evil.example' }],
  ['another challenge', { challenge: Buffer.alloc(32, 1).toString('base64url') }],
  [`the type ${otherType}`, { type: otherType }],
  ['user not present', { up: false }],
  ['a cross-origin iframe', { crossOrigin: true }],
];

describe('security keys and passkeys through createTwoFactor', () => {
  it('registers two named keys: methods() lists them, the second enrollment excludes the first, the first brings recovery codes', async () => {
    const w = setup();
    const blue = new SoftAuthenticator({ transports: ['usb', 'nfc'], aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' });
    const phone = new SoftAuthenticator({ counter: false, synced: true, transports: ['internal', 'hybrid'] });
    const first = await register(w, 'u1', blue, 'Blue key');
    expect(first.confirmed).toMatchObject({ ok: true, method: 'webauthn', recoveryCodes: expect.any(Array) });
    expect(first.confirmed.ok && first.confirmed.recoveryCodes).toHaveLength(10);
    expect(first.enrollment.options.excludeCredentials).toEqual([]);

    const second = await register(w, 'u1', phone, 'Phone passkey');
    expect(second.enrollment.options.excludeCredentials).toEqual([{ id: blue.id, transports: ['usb', 'nfc'], type: 'public-key' }]);
    expect(second.confirmed.ok && second.confirmed.recoveryCodes).toBeUndefined(); // only the first primary brings them

    const listed = await w.twofa.methods('u1');
    expect(listed.map((a) => [a.method, a.name, a.status])).toEqual([
      ['webauthn', 'Blue key', 'active'],
      ['webauthn', 'Phone passkey', 'active'],
      ['recovery', undefined, 'active'],
    ]);
    expect(listed[0]!.display).toEqual({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8', deviceType: 'singleDevice', backedUp: 'false', transports: 'usb,nfc' });
    expect(listed[1]!.display).toMatchObject({ deviceType: 'multiDevice', backedUp: 'true', transports: 'internal,hybrid' });
    // Nothing secret or identifying in display: no credential id, no public key.
    expect(JSON.stringify(listed)).not.toContain(blue.id);
  });

  it('offers browser-ready options: RP, user handle that is not the user id, challenge, timeout', async () => {
    const w = setup({ rpName: 'Acme Login', timeoutMs: 120_000 });
    const e = await w.twofa.enroll('user-42', 'webauthn', { userName: 'alice@example.com', displayName: 'Alice' });
    expect(e.options.rp).toEqual({ id: RP_ID, name: 'Acme Login' });
    expect(e.options.user.name).toBe('alice@example.com');
    expect(e.options.user.displayName).toBe('Alice');
    expect(e.options.timeout).toBe(120_000);
    expect(e.expiresAt).toBe(w.clock.now() + 120_000);
    expect(Buffer.from(e.options.user.id, 'base64url')).toHaveLength(32);
    expect(Buffer.from(e.options.user.id, 'base64url').toString('latin1')).not.toContain('user-42');
    // Stable per user, different between users.
    expect((await w.twofa.enroll('user-42', 'webauthn')).options.user.id).toBe(e.options.user.id);
    expect((await w.twofa.enroll('user-43', 'webauthn')).options.user.id).not.toBe(e.options.user.id);
    // A default user name (the user id, as TOTP's label) and the issuer as RP name.
    const plain = setup();
    const d = await plain.twofa.enroll('user-42', 'webauthn');
    expect(d.options.user.name).toBe('user-42');
    expect(d.options.rp.name).toBe('Acme');
    expect(d.options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(d.options.attestation).toBe('none');
  });

  it('logs in with each key; the challenge lists both with their transports', async () => {
    const w = setup();
    const a = new SoftAuthenticator();
    const b = new SoftAuthenticator({ transports: ['internal'] });
    const ra = await register(w, 'u1', a, 'A');
    const rb = await register(w, 'u1', b, 'B');
    const ch = await challenge(w, 'u1');
    expect(ch.options.allowCredentials).toEqual([
      { id: a.id, transports: ['usb'], type: 'public-key' },
      { id: b.id, transports: ['internal'], type: 'public-key' },
    ]);
    expect(ch.options.rpId).toBe(RP_ID);
    expect(ch.expiresAt).toBe(w.clock.now() + 300_000);
    expect(await w.twofa.verify('u1', { challengeId: ch.id, response: a.assert(ch.options, { origin: ORIGIN }) })).toEqual({ ok: true, method: 'webauthn', authenticatorId: ra.id, userVerified: true, proof: expect.any(String) });
    expect(await login(w, 'u1', b)).toEqual({ ok: true, method: 'webauthn', authenticatorId: rb.id, userVerified: true, proof: expect.any(String) });
    expect(await login(w, 'u1', a)).toMatchObject({ ok: true, authenticatorId: ra.id });
    // challenge() with no method picks the key first: phishing-resistant before codes.
    expect((await w.twofa.challenge('u1')).method).toBe('webauthn');
  });

  it.each(['Ed25519', 'RS256'] as const)('registers and logs in with an %s key', async (alg) => {
    const w = setup();
    const key = new SoftAuthenticator({ alg });
    const r = await register(w, 'u1', key);
    expect(await login(w, 'u1', key)).toMatchObject({ ok: true, authenticatorId: r.id });
    expect(await login(w, 'u1', new SoftAuthenticator({ alg }), {})).toMatchObject({ ok: false });
  });

  it('a removed key is refused and no longer offered', async () => {
    const w = setup();
    const a = new SoftAuthenticator();
    const b = new SoftAuthenticator();
    const ra = await register(w, 'u1', a);
    await register(w, 'u1', b);
    expect(await w.twofa.remove('u1', ra.id)).toEqual({ removed: [ra.id] });
    const ch = await challenge(w, 'u1');
    expect(ch.options.allowCredentials!.map((c) => c.id)).toEqual([b.id]);
    expect(await w.twofa.verify('u1', { challengeId: ch.id, response: a.assert(ch.options, { origin: ORIGIN }) })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await login(w, 'u1', b)).toMatchObject({ ok: true });
  });

  it('an assertion is used once: a replay on the same or a new challenge is refused', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    await register(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    const assertion = key.assert(ch.options, { origin: ORIGIN });
    expect((await w.twofa.verify('u1', { challengeId: ch.id, response: assertion })).ok).toBe(true);
    expect(await w.twofa.verify('u1', { challengeId: ch.id, response: assertion })).toMatchObject({ ok: false, error: 'expired' });
    const next = await challenge(w, 'u1');
    expect(await w.twofa.verify('u1', { challengeId: next.id, response: assertion })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(w.events.some((e) => e.name === 'authenticator.anomaly')).toBe(false); // a replay is not a clone
  });

  it('a sign count that goes back is refused and reported as authenticator.anomaly; the genuine key goes on', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    const r = await register(w, 'u1', key);
    for (let i = 0; i < 3; i++) expect((await login(w, 'u1', key)).ok).toBe(true); // count 3
    expect((await w.store.getAuthenticators('u1')).find((a) => a.id === r.id)?.counter).toBe(3);
    // A clone that was copied at count 2 signs a fresh challenge correctly, with count 2, then 3.
    expect(await login(w, 'u1', key, { signCount: 2 })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await login(w, 'u1', key, { signCount: 3 })).toMatchObject({ ok: false, error: 'invalid_code' });
    const anomalies = w.events.filter((e) => e.name === 'authenticator.anomaly').map((e) => e.event);
    expect(anomalies).toEqual([
      { userId: 'u1', method: 'webauthn', authenticatorId: r.id, reason: 'sign_count_regressed', at: w.clock.now() },
      { userId: 'u1', method: 'webauthn', authenticatorId: r.id, reason: 'sign_count_regressed', at: w.clock.now() },
    ]);
    expect((await w.store.getAuthenticators('u1')).find((a) => a.id === r.id)?.counter).toBe(3); // untouched
    expect(await login(w, 'u1', key)).toMatchObject({ ok: true }); // count 4
  });

  it('a forged assertion with a low count raises no anomaly: the count is judged after the signature', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    const forger = new SoftAuthenticator();
    await register(w, 'u1', key);
    await login(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    const forged = forger.assert(ch.options, { origin: ORIGIN, signCount: 0 });
    const r = await w.twofa.verify('u1', { challengeId: ch.id, response: { ...forged, id: key.id, rawId: key.id } });
    expect(r).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(w.events.some((e) => e.name === 'authenticator.anomaly')).toBe(false);
  });

  it('a key that keeps no count (always 0) works again and again', async () => {
    const w = setup();
    const passkey = new SoftAuthenticator({ counter: false, synced: true });
    const r = await register(w, 'u1', passkey);
    for (let i = 0; i < 5; i++) expect(await login(w, 'u1', passkey)).toMatchObject({ ok: true, authenticatorId: r.id });
    expect((await w.store.getAuthenticators('u1')).find((a) => a.id === r.id)?.counter).toBe(0);
    expect(w.events.some((e) => e.name === 'authenticator.anomaly')).toBe(false);
    // It may start counting; then it may not go back to 0.
    expect(await login(w, 'u1', passkey, { signCount: 7 })).toMatchObject({ ok: true });
    expect(await login(w, 'u1', passkey, { signCount: 0 })).toMatchObject({ ok: false, error: 'invalid_code' });
  });

  it.each([
    ...wrongCeremonies('webauthn.create'),
    ['an http origin', { origin: 'http://example.com' }],
    ['a sibling subdomain origin not configured', { origin: 'https://login.example.com' }],
  ])('refuses an assertion with %s', async (_what, ceremony) => {
    const w = setup();
    const key = new SoftAuthenticator();
    await register(w, 'u1', key);
    expect(await login(w, 'u1', key, ceremony)).toMatchObject({ ok: false, error: 'invalid_code', attemptsLeft: 4 });
    expect(await login(w, 'u1', key)).toMatchObject({ ok: true }); // the key itself still works
  });

  it("refuses another user's credential, even one that signs correctly", async () => {
    const w = setup();
    const alice = new SoftAuthenticator();
    const mallory = new SoftAuthenticator();
    await register(w, 'alice', alice);
    await register(w, 'mallory', mallory);
    const ch = await challenge(w, 'alice');
    const r = await w.twofa.verify('alice', { challengeId: ch.id, response: mallory.assert(ch.options, { origin: ORIGIN }) });
    expect(r).toMatchObject({ ok: false, error: 'invalid_code' });
    // Nor a challenge of one user answered for another.
    const mch = await challenge(w, 'mallory');
    expect(await w.twofa.verify('alice', { challengeId: mch.id, response: mallory.assert(mch.options, { origin: ORIGIN }) })).toMatchObject({ ok: false, error: 'expired' });
  });

  // One ECDSA signature, re-encoded: SimpleWebAuthn's lenient DER reader accepts some of these.
  it.each([
    ['an outer tag other than SEQUENCE', (d: Buffer) => Buffer.concat([Buffer.from([0xa0]), d.subarray(1)])],
    ['a byte after the signature', (d: Buffer) => Buffer.concat([d, Buffer.from([0])])],
    ['a needless leading zero in r', (d: Buffer) => Buffer.concat([Buffer.from([0x30, d[1]! + 1, 0x02, d[3]! + 1, 0]), d.subarray(4)])],
  ])('refuses an ES256 signature with %s; the genuine encoding then passes', async (_what, reencode) => {
    const w = setup();
    const key = new SoftAuthenticator();
    await register(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    const genuine = key.assert(ch.options, { origin: ORIGIN });
    const der = Buffer.from(genuine.response.signature, 'base64url');
    const other = reencode(der);
    expect(other.equals(der)).toBe(false);
    const forged = { ...genuine, response: { ...genuine.response, signature: other.toString('base64url') } };
    expect(await w.twofa.verify('u1', { challengeId: ch.id, response: forged })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await w.twofa.verify('u1', { challengeId: ch.id, response: genuine })).toMatchObject({ ok: true });
  });

  it('refuses a user handle that is not the one the key was registered with', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    await register(w, 'u1', key);
    key.userHandle = Buffer.alloc(32, 9).toString('base64url');
    expect(await login(w, 'u1', key)).toMatchObject({ ok: false, error: 'invalid_code' });
    key.userHandle = undefined; // browsers omit it for non-discoverable credentials
    expect(await login(w, 'u1', key)).toMatchObject({ ok: true });
  });

  it.each([
    ['a counting key', true],
    ['a key that keeps no count', false],
  ])('20 parallel submissions of one assertion: exactly one passes (%s)', async (_what, counter) => {
    const w = setup();
    const key = new SoftAuthenticator({ counter });
    const r = await register(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    const assertion = key.assert(ch.options, { origin: ORIGIN });
    const results = await Promise.all(Array.from({ length: 20 }, () => w.twofa.verify('u1', { challengeId: ch.id, response: structuredClone(assertion) })));
    expect(results.filter((x) => x.ok)).toEqual([{ ok: true, method: 'webauthn', authenticatorId: r.id, userVerified: true, proof: expect.any(String) }]);
    // The losers: the consume went to another (invalid_code, expired), or their attempt was
    // refused before any check because 20 attempts exceed the limit (locked, max_attempts).
    const losers = results.filter((x) => !x.ok).map((x) => !x.ok && x.error);
    expect(losers.every((e) => e === 'invalid_code' || e === 'expired' || e === 'locked' || e === 'max_attempts')).toBe(true);
    expect((await w.store.getAuthenticators('u1')).find((a) => a.id === r.id)?.counter).toBe(counter ? 1 : 0);
    expect(await login(w, 'u1', key)).toMatchObject({ ok: true }); // the success reset the failure count
  });

  it('reports userVerified; userVerification "required" refuses a key that did not verify the user', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    const r = await register(w, 'u1', key, undefined, { uv: false }); // 'preferred': registration without UV is fine
    expect(await login(w, 'u1', key, { uv: false })).toEqual({ ok: true, method: 'webauthn', authenticatorId: r.id, userVerified: false, proof: expect.any(String) });
    expect(await login(w, 'u1', key, { uv: true })).toEqual({ ok: true, method: 'webauthn', authenticatorId: r.id, userVerified: true, proof: expect.any(String) });

    const strict = setup({ userVerification: 'required' });
    const pinKey = new SoftAuthenticator();
    const e = await strict.twofa.enroll('u1', 'webauthn');
    expect(e.options.authenticatorSelection?.userVerification).toBe('required');
    expect(await strict.twofa.confirmEnrollment('u1', e.id, pinKey.register(e.options, { origin: ORIGIN, uv: false }))).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await strict.twofa.confirmEnrollment('u1', e.id, pinKey.register(e.options, { origin: ORIGIN }))).toMatchObject({ ok: true });
    const ch = await challenge(strict, 'u1');
    expect(ch.options.userVerification).toBe('required');
    expect(await login(strict, 'u1', pinKey, { uv: false })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await login(strict, 'u1', pinKey)).toMatchObject({ ok: true, userVerified: true, proof: expect.any(String) });
  });

  it('locks the user out after 5 bad assertions, as for any method', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    await register(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await w.twofa.verify('u1', { challengeId: ch.id, response: key.assert(ch.options, { origin: 'https://evil.example' }) }));
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error}:${r.attemptsLeft}`))).toEqual(['invalid_code:4', 'invalid_code:3', 'invalid_code:2', 'invalid_code:1', 'invalid_code:0']);
    expect(w.events.filter((e) => e.name === 'user.locked')).toHaveLength(1);
    await expect(w.twofa.challenge('u1', { method: 'webauthn' })).rejects.toMatchObject({ code: 'locked' });
    w.clock.advanceSeconds(600);
    expect(await login(w, 'u1', key)).toMatchObject({ ok: true });
  });

  it('a challenge expires after timeoutMs on the fake clock', async () => {
    const w = setup({ timeoutMs: 60_000 });
    const key = new SoftAuthenticator();
    await register(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    expect(ch.expiresAt).toBe(w.clock.now() + 60_000);
    expect(ch.options.timeout).toBe(60_000);
    w.clock.advance(60_000);
    expect(await w.twofa.verify('u1', { challengeId: ch.id, response: key.assert(ch.options, { origin: ORIGIN }) })).toMatchObject({ ok: false, error: 'expired' });
    // One open challenge per method: a new one replaces the old.
    const a = await challenge(w, 'u1');
    const b = await challenge(w, 'u1');
    expect(await w.twofa.verify('u1', { challengeId: a.id, response: key.assert(a.options, { origin: ORIGIN }) })).toMatchObject({ ok: false });
    expect(await w.twofa.verify('u1', { challengeId: b.id, response: key.assert(b.options, { origin: ORIGIN }) })).toMatchObject({ ok: true });
  });

  it('a pending enrollment expires with the ceremony, and its challenge is its own', async () => {
    const w = setup({ timeoutMs: 60_000 });
    const key = new SoftAuthenticator();
    const e = await w.twofa.enroll('u1', 'webauthn');
    w.clock.advance(60_000);
    expect(await w.twofa.confirmEnrollment('u1', e.id, key.register(e.options, { origin: ORIGIN }))).toMatchObject({ ok: false, error: 'expired' });
    const fresh = await w.twofa.enroll('u1', 'webauthn');
    // The old enrollment's challenge does not confirm the new one.
    expect(await w.twofa.confirmEnrollment('u1', fresh.id, key.register(e.options, { origin: ORIGIN }))).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await w.twofa.confirmEnrollment('u1', fresh.id, key.register(fresh.options, { origin: ORIGIN }))).toMatchObject({ ok: true });
  });

  it.each(wrongCeremonies('webauthn.get'))('refuses a registration with %s', async (_what, ceremony) => {
    const w = setup();
    const key = new SoftAuthenticator();
    const e = await w.twofa.enroll('u1', 'webauthn');
    expect(await w.twofa.confirmEnrollment('u1', e.id, key.register(e.options, { origin: ORIGIN, ...ceremony }))).toMatchObject({ ok: false, error: 'invalid_code' });
    expect((await w.twofa.methods('u1')).map((a) => a.status)).toEqual(['pending']);
  });

  it('refuses registering a key the user already has, even from a client that ignores excludeCredentials', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    await register(w, 'u1', key, 'First');
    const again = await w.twofa.enroll('u1', 'webauthn', { name: 'Again' });
    expect(await w.twofa.confirmEnrollment('u1', again.id, key.register(again.options, { origin: ORIGIN }))).toMatchObject({ ok: false, error: 'invalid_code' });
    expect((await w.twofa.methods('u1')).filter((a) => a.status === 'active' && a.method === 'webauthn')).toHaveLength(1);
  });

  it('refuses a registration whose reported id is not the credential the key attested', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    const e = await w.twofa.enroll('u1', 'webauthn');
    const other = new SoftAuthenticator().id;
    const response = key.register(e.options, { origin: ORIGIN });
    expect(await w.twofa.confirmEnrollment('u1', e.id, { ...response, id: other, rawId: other })).toMatchObject({ ok: false, error: 'invalid_code' });
    expect(await w.twofa.confirmEnrollment('u1', e.id, response)).toMatchObject({ ok: true });
  });

  it('a registration response confirms once', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    const e = await w.twofa.enroll('u1', 'webauthn');
    const response = key.register(e.options, { origin: ORIGIN });
    const results = await Promise.all(Array.from({ length: 5 }, () => w.twofa.confirmEnrollment('u1', e.id, structuredClone(response))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    await expect(w.twofa.confirmEnrollment('u1', e.id, response)).rejects.toMatchObject({ code: 'no_pending_enrollment' });
  });

  it('respects maxPerUser', async () => {
    const w = setup({ maxPerUser: 2 });
    await register(w, 'u1', new SoftAuthenticator());
    await register(w, 'u1', new SoftAuthenticator());
    await expect(w.twofa.enroll('u1', 'webauthn')).rejects.toMatchObject({ code: 'authenticator_limit' });
    expect(w.twofa.availableMethods().find((m) => m.method === 'webauthn')).toEqual({ method: 'webauthn', isBackup: false, needsChallenge: true, available: true, maxPerUser: 2 });
  });

  it('recovery codes get the user in when the key is lost, and go with the last key', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    const r = await register(w, 'u1', key);
    const codes = (r.confirmed.ok && r.confirmed.recoveryCodes) || [];
    expect(await w.twofa.verify('u1', { method: 'recovery', code: codes[0]! })).toMatchObject({ ok: true, method: 'recovery' });
    const removed = await w.twofa.remove('u1', r.id);
    expect(removed.removed).toHaveLength(2);
    expect(await w.twofa.methods('u1')).toEqual([]);
  });

  it('events carry no credential id, public key, challenge or response', async () => {
    const w = setup();
    const key = new SoftAuthenticator();
    await register(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    await w.twofa.verify('u1', { challengeId: ch.id, response: key.assert(ch.options, { origin: ORIGIN }) });
    await login(w, 'u1', key, { signCount: 1 });
    const out = JSON.stringify(w.events);
    expect(w.events.length).toBeGreaterThan(4);
    for (const s of [key.id, ch.options.challenge, key.userHandle!]) expect(out).not.toContain(s);
  });
});

describe('record + counter consume on MemoryStore, through the method', () => {
  it('a success is one consume call that uses up the challenge record and advances the counter together', async () => {
    const calls: { op: string; what?: unknown }[] = [];
    const inner = new MemoryStore();
    const counting = new Proxy(inner, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? (...args: unknown[]) => (calls.push({ op: String(prop), what: prop === 'consume' ? args[1] : undefined }), v.apply(target, args)) : v;
      },
    }) as Store;
    const w = setup({}, counting);
    const key = new SoftAuthenticator();
    const r = await register(w, 'u1', key);
    const ch = await challenge(w, 'u1');
    calls.length = 0;
    expect((await w.twofa.verify('u1', { challengeId: ch.id, response: key.assert(ch.options, { origin: ORIGIN }) })).ok).toBe(true);
    expect(calls.map((c) => c.op)).toEqual(['hit', 'consume']);
    expect(calls[1]!.what).toEqual({ counter: { authenticatorId: r.id, value: 1, allowZero: true }, record: expect.stringContaining('webauthn') });
    expect((await inner.getAuthenticators('u1')).find((a) => a.id === r.id)).toMatchObject({ counter: 1, lastUsedAt: w.clock.now() });
    expect(await inner.listRecords('u1', '', w.clock.now())).toEqual([]); // the challenge is gone
  });
});

describe('options', () => {
  const ok = { rpID: 'example.com', origins: ['https://example.com'] };
  it.each([
    ['no options', undefined],
    ['an rpID with a scheme', { ...ok, rpID: 'https://example.com' }],
    ['an rpID with a port', { ...ok, rpID: 'example.com:443' }],
    ['an upper-case rpID', { ...ok, rpID: 'Example.com' }],
    ['an IP address as rpID', { rpID: '127.0.0.1', origins: ['https://127.0.0.1'] }],
    ['no origins', { rpID: 'example.com' }],
    ['an empty origin list', { ...ok, origins: [] }],
    ['an origin string instead of a list', { ...ok, origins: 'https://example.com' }],
    ['an http origin', { ...ok, origins: ['http://example.com'] }],
    ['an origin with a path', { ...ok, origins: ['https://example.com/login'] }],
    ['an origin with a trailing slash', { ...ok, origins: ['https://example.com/'] }],
    ['an origin outside the rpID', { ...ok, origins: ['https://example.org'] }],
    ['an origin that only ends like the rpID', { ...ok, origins: ['https://notexample.com'] }],
    ['a wrong userVerification', { ...ok, userVerification: 'always' }],
    ['a wrong attestation', { ...ok, attestation: 'indirect' }],
    ['a short timeout', { ...ok, timeoutMs: 1000 }],
    ['a fractional maxPerUser', { ...ok, maxPerUser: 1.5 }],
    ['an rpName with control characters', { ...ok, rpName: 'Acme\n' }],
  ])('refuses %s with config_invalid', (_what, options) => {
    expect(() => webauthn(options as never)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });

  it('accepts subdomains, ports, several origins and localhost over http', () => {
    expect(() => webauthn({ rpID: 'example.com', origins: ['https://example.com', 'https://login.example.com:8443'] })).not.toThrow();
    expect(() => webauthn({ rpID: 'localhost', origins: ['http://localhost:3000', 'https://localhost'] })).not.toThrow();
    expect(() => webauthn({ rpID: 'xn--bcher-kva.example', origins: ['https://xn--bcher-kva.example'] })).not.toThrow();
  });

  it('refuses bad enroll input as invalid_input', async () => {
    const w = setup();
    await expect(w.twofa.enroll('u1', 'webauthn', { userName: '' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(w.twofa.enroll('u1', 'webauthn', { userName: 'x'.repeat(65) })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(w.twofa.enroll('u1', 'webauthn', { displayName: 'a\u0000b' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(w.twofa.enroll('u1', 'webauthn', { userName: 42 as never })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('a local development set-up', () => {
  it('works on http://localhost', async () => {
    const w = setup({ rpID: 'localhost', origins: ['http://localhost:3000'] });
    const key = new SoftAuthenticator();
    const e = await w.twofa.enroll('u1', 'webauthn');
    expect((await w.twofa.confirmEnrollment('u1', e.id, key.register(e.options, { origin: 'http://localhost:3000' }))).ok).toBe(true);
    const ch = await challenge(w, 'u1');
    expect((await w.twofa.verify('u1', { challengeId: ch.id, response: key.assert(ch.options, { origin: 'http://localhost:3000' }) })).ok).toBe(true);
  });
});
