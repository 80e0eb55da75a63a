/**
 * `webauthn()`: security keys and passkeys as a twofa method, on @simplewebauthn/server (docs/webauthn.md).
 *
 * @packageDocumentation
 * @module @twofa/webauthn
 */
// @twofa/webauthn: security keys and passkeys as a twofa method.
export {
  webauthn,
  isWebAuthnChallenge,
  SIGN_COUNT_REGRESSED,
  type WebAuthnMethod,
  type WebAuthnEnrollInput,
  type WebAuthnEnrollment,
  type WebAuthnChallenge,
} from './webauthn.js';
export type { WebAuthnOptions, UserVerification, Attestation, ResidentKey } from './options.js';
export type { Transport } from './response.js';
// The JSON the browser takes and gives back (@simplewebauthn/browser, or the WebAuthn JSON methods).
export type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
  AuthenticationResponseJSON,
} from '@simplewebauthn/server';
