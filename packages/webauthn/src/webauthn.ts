import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import type { Challenge } from '@twofa/core';
import { TwoFactorError, type CheckResult, type Method, type MethodContext, type OpenAuthenticator } from '@twofa/core/adapter';
import { isCanonicalEcdsaDer } from './der.js';
import { resolveOptions, type WebAuthnOptions } from './options.js';
import { CREDENTIAL_ID_MAX_BYTES, readAssertion, readRegistration, type Transport } from './response.js';

/** What `enroll(userId, 'webauthn', input)` takes. */
export interface WebAuthnEnrollInput {
  /** The account name the browser and the key show, e.g. the user's email. Default: the user id. */
  userName?: string;
  /** A friendlier account name ("Alice Smith"). Default: `userName`. */
  displayName?: string;
  /** The name the user gives this key ("Blue YubiKey"). */
  name?: string;
}

/** What `enroll(userId, 'webauthn')` returns besides id, method, name and expiresAt. */
export interface WebAuthnEnrollment {
  /** For `startRegistration({ optionsJSON: options })` of @simplewebauthn/browser, or `PublicKeyCredential.parseCreationOptionsFromJSON`. */
  options: PublicKeyCredentialCreationOptionsJSON;
}

/** What `twofa.challenge(userId, { method: 'webauthn' })` returns. */
export type WebAuthnChallenge = Challenge & {
  method: 'webauthn';
  /** For `startAuthentication({ optionsJSON: options })`, or `PublicKeyCredential.parseRequestOptionsFromJSON`. */
  options: PublicKeyCredentialRequestOptionsJSON;
};

/** True when `challenge` is a WebAuthn one: its `options` go to the browser. */
export function isWebAuthnChallenge(challenge: Challenge): challenge is WebAuthnChallenge {
  return challenge.method === 'webauthn' && challenge.options !== null && typeof challenge.options === 'object';
}

/** The method `webauthn()` returns: id `webauthn`, security keys and passkeys. */
export type WebAuthnMethod = Method<'webauthn', WebAuthnEnrollInput, WebAuthnEnrollment>;

/** Kept encrypted with a pending enrollment. */
interface PendingConfig {
  challenge: string;
  userHandle: string;
  /** The user's credentials when the enrollment began: registering one again is refused. */
  exclude: string[];
  [k: string]: unknown;
}

/** Kept encrypted with an active key. The sign count lives in the store's counter. */
interface CredentialConfig {
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  transports: Transport[];
  aaguid: string;
  /** 'multiDevice' (a synced passkey) or 'singleDevice', from the backup-eligible flag. */
  deviceType: 'singleDevice' | 'multiDevice';
  /** Whether the credential was backed up when it was registered. */
  backedUp: boolean;
  userHandle: string;
  /** Attestation format: 'none' unless you asked for attestation. */
  fmt: string;
  [k: string]: unknown;
}

const INVALID = { outcome: 'invalid' } as const;

/** A sign count that did not advance on a key that keeps one: the key may have been cloned. */
export const SIGN_COUNT_REGRESSED = 'sign_count_regressed';

function text(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || !new RegExp(`^[^\\p{Cc}\\p{Cs}]{1,${max}}$`, 'u').test(value)) {
    throw new TwoFactorError('invalid_input', { message: `${name} must be 1–${max} printable characters.` });
  }
  return value;
}

/**
 * The user handle the key stores: a keyed hash of the user id (32 bytes), so the key and
 * anyone who reads it learn nothing of the id, while the same user gets the same handle.
 */
function userHandleOf(ctx: MethodContext): Uint8Array<ArrayBuffer> {
  const hash = ctx.keys.hash('webauthn-user-handle', ctx.userId);
  return new Uint8Array(Buffer.from(hash.slice(hash.lastIndexOf('.') + 1), 'base64url'));
}

const bytes = (b64url: string) => new Uint8Array(Buffer.from(b64url, 'base64url'));

/** Whether a stored COSE public key is an elliptic-curve (EC2, COSE kty 2) key, whose signatures are DER. */
function isEcKey(publicKey: Uint8Array<ArrayBuffer>): boolean {
  try {
    return decodeCredentialPublicKey(publicKey).get(1 as never) === 2;
  } catch {
    return false;
  }
}

/**
 * Security keys and passkeys (WebAuthn) on @simplewebauthn/server: registration and
 * assertion options for the browser, verification of its responses, a sign count that
 * must advance (or stay 0 on keys that keep none), each challenge usable once.
 *
 *   webauthn({ rpID: 'example.com', origins: ['https://example.com'] })
 */
export function webauthn(options: WebAuthnOptions): WebAuthnMethod {
  const o = resolveOptions(options);
  const requireUserVerification = o.userVerification === 'required';
  const ttlSeconds = Math.ceil(o.timeoutMs / 1000);

  async function verifyAssertion(ctx: MethodContext, candidates: OpenAuthenticator[], answer: unknown, state?: Record<string, unknown>): Promise<CheckResult> {
    const response = readAssertion(answer);
    const expectedChallenge = state?.challenge;
    if (response === null || typeof expectedChallenge !== 'string') return INVALID;
    // Only this user's keys: another user's credential is just a wrong answer.
    const auth = candidates.find((a) => (a.config as CredentialConfig).credentialId === response.id);
    if (!auth) return INVALID;
    const config = auth.config as CredentialConfig;
    const userHandle = response.response.userHandle;
    if (userHandle !== undefined && userHandle !== config.userHandle) return INVALID;
    // An EC key's signature must be in its one canonical encoding (see der.ts).
    const publicKey = bytes(config.publicKey);
    if (isEcKey(publicKey) && !isCanonicalEcdsaDer(Buffer.from(response.response.signature, 'base64url'))) return INVALID;
    let info;
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: o.origins,
        expectedRPID: o.rpID,
        requireUserVerification,
        // Counter 0 turns the library's own check off: the count is judged below, after the
        // signature, so a forged response cannot raise an anomaly.
        credential: { id: config.credentialId, publicKey, counter: 0, transports: config.transports },
      });
      if (!verified.verified) return INVALID;
      info = verified.authenticationInfo;
    } catch {
      return INVALID; // bad base64url, CBOR, challenge, origin, RP ID, flags or signature
    }
    const id = auth.record.id;
    const stored = auth.record.counter ?? 0;
    if (stored > 0 && info.newCounter <= stored) {
      ctx.report(id, SIGN_COUNT_REGRESSED);
      return INVALID;
    }
    // One atomic step: the challenge is used up and the count advances (or stays 0 on a key
    // that keeps none), so one assertion passes once however often it is sent.
    const won = await ctx.consume(id, { counter: { authenticatorId: id, value: info.newCounter, allowZero: true } });
    return won ? { outcome: 'approved', authenticatorId: id, userVerified: info.userVerified } : INVALID;
  }

  return {
    id: 'webauthn',
    role: 'primary',
    // Phishing-resistant: offered before codes.
    order: -10,
    needsChallenge: true,
    maxPerUser: o.maxPerUser,
    answer: 'object',
    isAvailable: () => true,

    async enroll(ctx, input, existing) {
      const userName = text(input.userName ?? ctx.userId, 'userName', 64);
      const displayName = text(input.displayName ?? userName, 'displayName', 64);
      const registered = existing.map((a) => a.config as CredentialConfig);
      const options = await generateRegistrationOptions({
        rpName: o.rpName ?? ctx.issuer,
        rpID: o.rpID,
        userName,
        userDisplayName: displayName,
        userID: userHandleOf(ctx),
        challenge: new Uint8Array(ctx.random(32)),
        timeout: o.timeoutMs,
        attestationType: o.attestation,
        excludeCredentials: registered.map((c) => ({ id: c.credentialId, transports: c.transports })),
        authenticatorSelection: { residentKey: o.residentKey, userVerification: o.userVerification },
      });
      const config: PendingConfig = { challenge: options.challenge, userHandle: options.user.id, exclude: registered.map((c) => c.credentialId) };
      return { config, output: { options }, ttlSeconds };
    },

    async confirm(ctx, pending, answer) {
      const response = readRegistration(answer);
      const p = pending.config as PendingConfig;
      if (response === null) return 'invalid';
      let info;
      try {
        const verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: p.challenge,
          expectedOrigin: o.origins,
          expectedRPID: o.rpID,
          requireUserPresence: true,
          requireUserVerification,
        });
        if (!verified.verified) return 'invalid';
        info = verified.registrationInfo;
      } catch {
        return 'invalid';
      }
      const { credential } = info;
      // The id the browser reported is the one the key attested; at most 1023 bytes; not one
      // of the user's keys already (excludeCredentials asked the browser, this makes sure).
      if (credential.id !== response.id || Buffer.byteLength(credential.id, 'base64url') > CREDENTIAL_ID_MAX_BYTES || p.exclude.includes(credential.id)) return 'invalid';
      const id = pending.record.id;
      const counted = await ctx.store.consume(ctx.userId, { counter: { authenticatorId: id, value: credential.counter, allowZero: true } }, ctx.now, { ...ctx.settle, touch: id });
      if (!counted) return 'expired'; // the pending record went meanwhile
      const transports = response.response.transports as Transport[];
      const config: CredentialConfig = {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        transports,
        aaguid: info.aaguid,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        userHandle: p.userHandle,
        fmt: info.fmt,
      };
      const display: Record<string, string> = { aaguid: info.aaguid, deviceType: info.credentialDeviceType, backedUp: String(info.credentialBackedUp) };
      if (transports.length > 0) display.transports = transports.join(',');
      return { outcome: 'approved', config, display };
    },

    async challenge(ctx, candidates) {
      const options = await generateAuthenticationOptions({
        rpID: o.rpID,
        allowCredentials: candidates.map((a) => {
          const c = a.config as CredentialConfig;
          return { id: c.credentialId, transports: c.transports };
        }),
        challenge: new Uint8Array(ctx.random(32)),
        timeout: o.timeoutMs,
        userVerification: o.userVerification,
      });
      return { state: { challenge: options.challenge }, expiresAt: ctx.now + o.timeoutMs, output: { options } };
    },

    check: verifyAssertion,
  };
}
