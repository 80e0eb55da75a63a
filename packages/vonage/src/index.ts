/**
 * `vonageVerify()` (a Verifier on Vonage Verify v2) and `vonageSms()` (a MessageSender on the Vonage SMS API).
 *
 * @packageDocumentation
 * @module @twofa/vonage
 */
// @twofa/vonage: the Vonage adapters. Everything else in src/ (client set-up, the error
// mapper, locales, GSM-7) is shared by the two and private to this package.
export { vonageVerify, type VonageVerifyOptions } from './verify.js';
export { vonageSms, type VonageSmsOptions } from './sms.js';
