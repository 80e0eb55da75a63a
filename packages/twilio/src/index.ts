/**
 * `twilioVerify()` (a Verifier on Twilio Verify v2, with Lookup line-type checks) and `twilioMessages()` (a MessageSender on Twilio Messages).
 *
 * @packageDocumentation
 * @module @twofa/twilio
 */
// @twofa/twilio: the Twilio adapters. Everything else in src/ (the request client, the error
// mapper) is shared by the two and private to this package.
export { twilioVerify, type TwilioVerifyOptions } from './verify.js';
export { twilioMessages, type TwilioMessagesOptions } from './messages.js';
