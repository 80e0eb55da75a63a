export { vonageVerify, type VonageVerifyOptions } from './vonage-verify.js';
export { vonageLocale, VONAGE_LOCALES, type VonageLocale } from './locale.js';
// The Vonage plumbing @twofa/vonage-sms shares: client set-up, failure reading and the error table.
export { clientOptions, jwtClient, readPrivateKey, type VonageClientOptions } from './client.js';
export { attemptVonage, readVonageFailure, vonageError, type Attempt, type VonageFailure } from './vonage-errors.js';
