import { createHash, verify as verifySignature } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTwoFactorError, MemoryStore } from '@twofa/core';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { FakeClock } from '@twofa/testkit';
import { isWebAuthnChallenge } from '@twofa/webauthn';
import { ORIGIN, RP_ID, setup, type World } from './helpers.js';
import { SoftAuthenticator } from './soft-authenticator.js';

/**
 * Thousands of random and mutated registration and assertion responses, each run against a
 * live challenge or pending enrollment: every call settles in time with a typed result or a
 * TwoFactorError, and nothing is accepted that an independent check (JSON, raw bytes and
 * node:crypto, not the library under test) would refuse.
 */

const RUNS = 2000;
const HANG_MS = 2000;
const RP_HASH = createHash('sha256').update(RP_ID).digest();
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.base64String({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b).toString('base64url')),
  fc.constantFrom('', '=', 'AA==', 'A', '____', '-_-_', '\u0000', '\uD800', '__proto__', 'x'.repeat(70_000), 'A'.repeat(1_000_001), 'null'),
);
const anything = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.object({ maxDepth: 2 }), fc.array(hostileString, { maxLength: 3 }));

type Json = Record<string, unknown>;

/** One edit to a response (a JSON object as the browser posts it). */
type Mutation = (r: Json) => unknown;

/** What a response that reads each property once shows: tricks say it themselves, plain data is itself. */
const SEEN = Symbol('seen');
const seenOf = (answer: unknown): unknown => (answer !== null && typeof answer === 'object' && SEEN in answer ? (answer as { [SEEN]: unknown })[SEEN] : structuredClone(answer));

const setPath = (path: string[], value: unknown): Mutation => (r) => {
  const copy = structuredClone(r);
  let at: Json = copy;
  for (const k of path.slice(0, -1)) at = (at[k] ?? {}) as Json;
  at[path.at(-1)!] = value;
  return copy;
};

/** Edits the bytes behind a base64url field: overwrite, truncate, extend. */
function bytesEdit(field: string) {
  return fc
    .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }), fc.uint8Array({ maxLength: 8 }))
    .map(([edits, cut, tail]): Mutation => (r) => {
      const copy = structuredClone(r);
      const res = copy.response as Json;
      let b = Buffer.from(String(res[field]), 'base64url');
      for (const [i, v] of edits) if (b.length) b[i % b.length] = v;
      if (cut !== undefined && b.length) b = b.subarray(0, cut % b.length);
      res[field] = Buffer.concat([b, Buffer.from(tail)]).toString('base64url');
      return copy;
    });
}

/** Edits clientDataJSON as JSON: what a phishing page or a tampering client would change. */
const clientDataEdit = fc
  .tuple(
    fc.constantFrom('type', 'challenge', 'origin', 'crossOrigin', 'topOrigin', 'tokenBinding', 'extra'),
    fc.oneof(anything, fc.constantFrom('webauthn.get', 'webauthn.create', ORIGIN, 'https://evil.example', 'https://example.com.evil.example', true, false, { status: 'present' })),
  )
  .map(([key, value]): Mutation => (r) => {
    const copy = structuredClone(r);
    const res = copy.response as Json;
    const data = JSON.parse(Buffer.from(String(res.clientDataJSON), 'base64url').toString('utf8')) as Json;
    data[key] = value;
    res.clientDataJSON = Buffer.from(JSON.stringify(data) ?? '').toString('base64url');
    return copy;
  });

/** Edits a registration's attestation object as CBOR: format, statement, authenticator data, or not CBOR at all. */
const attestationEdit = fc.oneof(
  fc.tuple(fc.constantFrom('packed', 'fido-u2f', 'tpm', 'apple', 'android-key', 'android-safetynet', 'none', 'other'), fc.constantFrom(0, 1, 2)).map(([fmt, stmt]): Mutation => (r) => {
    const copy = structuredClone(r);
    const res = copy.response as Json;
    const att = isoCBOR.decodeFirst<Map<string, unknown>>(Buffer.from(String(res.attestationObject), 'base64url'));
    att.set('fmt', fmt);
    const statements = [new Map(), new Map<string, unknown>([['alg', -7], ['sig', new Uint8Array(70)]]), new Map<string, unknown>([['alg', -7], ['sig', new Uint8Array(70)], ['x5c', [new Uint8Array(300)]]])];
    att.set('attStmt', statements[stmt]);
    res.attestationObject = Buffer.from(isoCBOR.encode(att as never)).toString('base64url');
    return copy;
  }),
  fc.uint8Array({ maxLength: 300 }).map((bytes): Mutation => setPath(['response', 'attestationObject'], Buffer.from(bytes).toString('base64url'))),
  // Deeply nested CBOR arrays: 0x81 is "an array of one item".
  fc.integer({ min: 1, max: 40_000 }).map((depth): Mutation => setPath(['response', 'attestationObject'], Buffer.concat([Buffer.alloc(depth, 0x81), Buffer.from([0])]).toString('base64url'))),
  // A length header that promises far more than is there.
  fc.constantFrom('9bffffffffffffffff', 'bbffffffffffffffff', '5bffffffffffffffff', 'a1', 'ff', 'c0c0c0c0c0').map((hex): Mutation => setPath(['response', 'attestationObject'], Buffer.from(hex, 'hex').toString('base64url'))),
);

/** A response whose property reads throw, or answer differently each time. */
const trickObject = fc.constantFrom<Mutation>(
  () => new Proxy({}, { get: () => { throw new Error('boom'); }, has: () => true }),
  (r) => new Proxy(r, { get: (t, k) => (k === 'response' ? (() => { throw new TypeError('no'); })() : Reflect.get(t, k)) }),
  // Right the first time, wrong after: a check and the library must see the same value.
  (r) => {
    let n = 0;
    return { ...r, [SEEN]: r, get id() { return n++ === 0 ? r.id : 'AAAA'; } };
  },
);

function mutations(fields: string[], extra: fc.Arbitrary<Mutation>[]): fc.Arbitrary<Mutation> {
  const paths = [['id'], ['rawId'], ['type'], ['response'], ['clientExtensionResults'], ...fields.map((f) => ['response', f])];
  return fc.oneof(
    anything.map((v): Mutation => () => v),
    fc.tuple(fc.constantFrom(...paths), anything).map(([path, v]) => setPath(path, v)),
    ...fields.map(bytesEdit),
    clientDataEdit,
    trickObject,
    ...extra,
  );
}

async function settles<T>(what: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hang: no answer in ${HANG_MS} ms`)), HANG_MS)));
  try {
    return { value: await Promise.race([what(), hang]) };
  } catch (error) {
    if (!isTwoFactorError(error)) throw new Error(`not a TwoFactorError: ${String(error)}`);
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

const decodeClientData = (b64: unknown) => JSON.parse(Buffer.from(String(b64), 'base64url').toString('utf8')) as Json;

describe('hostile WebAuthn responses', () => {
  let twofa: World['twofa'];
  let clock: FakeClock;
  const anomalies: unknown[] = [];
  const key = new SoftAuthenticator();
  const stranger = new SoftAuthenticator();

  beforeAll(async () => {
    const lifted = { lockoutAfter: 1_000_000, hourlyMaxAttempts: 1_000_000, maxConsecutiveFailures: 1_000_000, maxAttempts: 1_000_000 };
    const w = setup({ maxPerUser: 100 }, new MemoryStore(), lifted);
    ({ twofa, clock } = w);
    twofa.on('authenticator.anomaly', (e) => anomalies.push(e));
    for (const [user, k] of [['victim', key], ['stranger', stranger]] as const) {
      const e = await twofa.enroll(user, 'webauthn');
      const r = await twofa.confirmEnrollment(user, e.id, k.register(e.options, { origin: ORIGIN }));
      if (!r.ok) throw new Error('setup failed');
    }
  });

  it(`${RUNS} mutated assertions: typed answers, and only a genuine assertion passes`, async () => {
    let lastCount = 0;
    let accepted = 0;
    const errors = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.boolean(), mutations(['clientDataJSON', 'authenticatorData', 'signature', 'userHandle'], []), async (fromStranger, mutate) => {
        const ch = await twofa.challenge('victim', { method: 'webauthn' });
        if (!isWebAuthnChallenge(ch)) throw new Error('no options');
        const base = (fromStranger ? stranger : key).assert(ch.options, { origin: ORIGIN }) as unknown as Json;
        const answer = mutate(base);
        const r = await settles(() => twofa.verify('victim', { challengeId: ch.id, response: answer }));
        if (r.error) errors.add((r.error as { code: string }).code);
        if (r.value?.ok) {
          // The oracle: what WebAuthn §7.2 demands, checked here by hand on the copy that passed.
          const sent = seenOf(answer) as Json;
          const res = sent.response as Json;
          const data = decodeClientData(res.clientDataJSON);
          const authData = Buffer.from(String(res.authenticatorData), 'base64url');
          const count = authData.readUInt32BE(33);
          expect(sent.id).toBe(key.id);
          expect(res.userHandle === undefined || res.userHandle === null || res.userHandle === key.userHandle).toBe(true); // not signed: checked against the registration
          expect([data.type, data.challenge, data.origin, data.crossOrigin === true]).toEqual(['webauthn.get', ch.options.challenge, ORIGIN, false]);
          expect(authData.subarray(0, 32).equals(RP_HASH) && (authData[32]! & 1) === 1).toBe(true);
          expect(verifySignature('sha256', Buffer.concat([authData, sha256(Buffer.from(String(res.clientDataJSON), 'base64url'))]), key.publicKey, Buffer.from(String(res.signature), 'base64url'))).toBe(true);
          expect(count).toBeGreaterThan(lastCount);
          lastCount = count;
          accepted++;
        }
        clock.advance(1000);
      }),
      { numRuns: RUNS },
    );
    expect([...errors].every((c) => c === 'invalid_input')).toBe(true);
    expect(accepted).toBeGreaterThan(10); // harmless edits (clientExtensionResults, no userHandle) do pass: the oracle ran
    expect(anomalies).toEqual([]); // no forged response reached the sign-count judgement
  }, 120_000);

  it(`${RUNS} mutated registrations: typed answers, and only a well-formed ceremony for this challenge is kept`, async () => {
    let accepted = 0;
    const errors = new Set<string>();
    await fc.assert(
      fc.asyncProperty(mutations(['clientDataJSON', 'attestationObject', 'transports'], [attestationEdit, bytesEdit('attestationObject')]), async (mutate) => {
        const e = await twofa.enroll('registrant', 'webauthn');
        const fresh = new SoftAuthenticator();
        const answer = mutate(fresh.register(e.options, { origin: ORIGIN }) as unknown as Json);
        const r = await settles(() => twofa.confirmEnrollment('registrant', e.id, answer));
        if (r.error) errors.add((r.error as { code: string }).code);
        if (r.value?.ok) {
          // §7.1: this challenge, origin and type; our RP ID; user present; the attested credential is the one reported.
          const sent = seenOf(answer) as Json;
          const res = sent.response as Json;
          const data = decodeClientData(res.clientDataJSON);
          expect([data.type, data.challenge, data.origin, data.crossOrigin === true]).toEqual(['webauthn.create', e.options.challenge, ORIGIN, false]);
          const authData = Buffer.from(isoCBOR.decodeFirst<Map<string, Uint8Array>>(Buffer.from(String(res.attestationObject), 'base64url')).get('authData')!);
          expect(authData.subarray(0, 32).equals(RP_HASH)).toBe(true);
          expect(authData[32]! & 0x41).toBe(0x41); // UP and AT
          const idLength = authData.readUInt16BE(53);
          expect(authData.subarray(55, 55 + idLength).toString('base64url')).toBe(sent.id);
          accepted++;
          await twofa.remove('registrant', r.value.authenticatorId);
        }
        clock.advance(1000);
      }),
      { numRuns: RUNS },
    );
    expect([...errors].every((c) => c === 'invalid_input')).toBe(true);
    expect(accepted).toBeGreaterThan(10);
  }, 120_000);

  it('the victim is as enrolled, and the key still works', async () => {
    expect((await twofa.methods('victim')).map((a) => [a.method, a.status])).toEqual([
      ['webauthn', 'active'],
      ['recovery', 'active'],
    ]);
    const ch = await twofa.challenge('victim', { method: 'webauthn' });
    if (!isWebAuthnChallenge(ch)) throw new Error('no options');
    expect((await twofa.verify('victim', { challengeId: ch.id, response: key.assert(ch.options, { origin: ORIGIN }) })).ok).toBe(true);
  });
});
