// @twofa/vonage: the Vonage adapters. Everything else in src/ (client set-up, the error
// mapper, locales, GSM-7) is shared by the two and private to this package.
export { vonageVerify, type VonageVerifyOptions } from './verify.js';
export { vonageSms, type VonageSmsOptions } from './sms.js';
