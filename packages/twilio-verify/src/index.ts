export { twilioVerify, type TwilioVerifyOptions } from './twilio-verify.js';
// The Twilio plumbing @twofa/twilio-messages shares: the request client (timeout, Retry-After,
// no debug logging) and the error table.
export { TwofaRequestClient, type TwofaHttpClientOptions } from './http-client.js';
export { TWILIO_ERROR_CODES, toTwoFactorError } from './twilio-errors.js';
export { normaliseLineType } from './line-type.js';
