/**
 * WebAuthn figures: an assertion verified through twofa.verify (MemoryStore) against bare
 * @simplewebauthn/server verifyAuthenticationResponse on the very same assertions, and the
 * store calls one verify makes (a counting proxy over MemoryStore, on for both figures: a
 * few function calls on the SDK side). Assertions are signed before timing starts, one per
 * user per round, each key's sign count going up by one; each goes through both, in
 * alternating order. Reported: each side's best round, and the median of the rounds' ratios.
 */
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { decodeAttestationObject, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { createTwoFactor, MemoryStore, recoveryCodes, type Store } from '@twofa/core';
import { FakeClock } from '@twofa/testkit';
import { isWebAuthnChallenge, webauthn } from '@twofa/webauthn';
import { SoftAuthenticator } from '../packages/webauthn/test/soft-authenticator.js';
import { fmt } from './measure.js';

const USERS = 200;
const ROUNDS = 12;
const RP_ID = 'bench.example';
const ORIGIN = 'https://bench.example';

/** Counts every Store call made through it. */
function counting(store: Store): { store: Store; calls: () => number } {
  let n = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (...args: unknown[]) => (n++, v.apply(target, args)) : v;
    },
  });
  return { store: proxy, calls: () => n };
}

interface Signed {
  user: string;
  challengeId: string;
  challenge: string;
  response: AuthenticationResponseJSON;
  key: SoftAuthenticator;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
}

export async function run(): Promise<Record<string, number>> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const counted = counting(new MemoryStore());
  const twofa = createTwoFactor({
    issuer: 'Bench',
    store: counted.store,
    clock,
    encryptionKeys: ['b'.repeat(64)],
    methods: [webauthn({ rpID: RP_ID, origins: [ORIGIN] }), recoveryCodes()],
    policy: { hourlyMaxAttempts: 1_000_000_000 },
  });
  const users: { user: string; key: SoftAuthenticator; publicKey: Uint8Array<ArrayBuffer> }[] = [];
  for (let u = 0; u < USERS; u++) {
    const user = `wa${u}`;
    const key = new SoftAuthenticator();
    const e = await twofa.enroll(user, 'webauthn');
    const registration = key.register(e.options, { origin: ORIGIN });
    const r = await twofa.confirmEnrollment(user, e.id, registration);
    if (!r.ok) throw new Error('bench: registration failed');
    // The COSE public key, as an app storing credentials itself would keep it.
    const publicKey = new Uint8Array(parseAuthenticatorData(decodeAttestationObject(Buffer.from(registration.response.attestationObject, 'base64url')).get('authData')).credentialPublicKey!);
    users.push({ user, key, publicKey });
  }

  /** Opens one challenge per user and signs it (untimed). */
  async function batch(): Promise<Signed[]> {
    const out: Signed[] = [];
    for (const { user, key, publicKey } of users) {
      const ch = await twofa.challenge(user, { method: 'webauthn' });
      if (!isWebAuthnChallenge(ch)) throw new Error('bench: no options');
      const response = key.assert(ch.options, { origin: ORIGIN });
      const counter = Buffer.from(response.response.authenticatorData, 'base64url').readUInt32BE(33) - 1;
      out.push({ user, challengeId: ch.id, challenge: ch.options.challenge, response, key, publicKey, counter });
    }
    return out;
  }

  // Paired, so a busy moment on a shared machine falls on both sides alike.
  let trips = 0;
  let verifies = 0;
  const sdk = async (s: Signed) => {
    const before = counted.calls();
    const r = await twofa.verify(s.user, { challengeId: s.challengeId, response: s.response });
    trips += counted.calls() - before;
    verifies++;
    if (!r.ok) throw new Error(`bench: verify failed: ${r.error}`);
  };
  const bare = async (s: Signed) => {
    const r = await verifyAuthenticationResponse({
      response: s.response,
      expectedChallenge: s.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      requireUserVerification: false,
      credential: { id: s.key.id, publicKey: s.publicKey, counter: s.counter },
    });
    if (!r.verified) throw new Error('bench: bare verify failed');
  };
  const rounds: { sdk: number; bare: number }[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const signed = await batch();
    const spent = { sdk: 0, bare: 0 };
    for (const [i, s] of signed.entries()) {
      for (const side of i % 2 === 0 ? (['sdk', 'bare'] as const) : (['bare', 'sdk'] as const)) {
        const t0 = process.hrtime.bigint();
        await (side === 'sdk' ? sdk(s) : bare(s));
        spent[side] += Number(process.hrtime.bigint() - t0) / 1e6;
      }
    }
    if (round === 0) continue; // warm-up
    rounds.push(spent);
    console.log(`  round ${round}: twofa.verify ${fmt((USERS / spent.sdk) * 1000)} ops/s, bare ${fmt((USERS / spent.bare) * 1000)} ops/s, ${fmt(spent.sdk / spent.bare, 2)}×`);
  }
  const best = (side: 'sdk' | 'bare') => Math.min(...rounds.map((r) => r[side]));
  const opsPerSec = { sdk: (USERS / best('sdk')) * 1000, bare: (USERS / best('bare')) * 1000 };
  console.log(`  ${'twofa.verify (WebAuthn assertion, MemoryStore)'.padEnd(48)} ${fmt(opsPerSec.sdk).padStart(10)} ops/s  (best of ${ROUNDS} rounds of ${USERS})`);
  console.log(`  ${'bare verifyAuthenticationResponse'.padEnd(48)} ${fmt(opsPerSec.bare).padStart(10)} ops/s  (best of ${ROUNDS} rounds of ${USERS})`);
  const ratio = opsPerSec.bare / opsPerSec.sdk;
  const ratios = rounds.map((r) => r.sdk / r.bare).sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)]!;
  const perVerify = trips / verifies;
  console.log(`  WebAuthn verify cost, SDK vs bare @simplewebauthn/server: ${fmt(ratio, 2)}× best rounds, ${fmt(median, 2)}× median round (target ≤ 1.3×)`);
  console.log(`  Store calls per WebAuthn verify: ${fmt(perVerify, 2)} (count the attempt and load; consume the challenge with the sign count)`);
  return { sdkWebauthn: opsPerSec.sdk, bareWebauthn: opsPerSec.bare, ratio, medianRatio: median, storeCallsPerVerify: perVerify };
}
