// @twofa/twilio: the Twilio adapters. Everything else in src/ (the request client, the error
// mapper) is shared by the two and private to this package.
export { twilioVerify, type TwilioVerifyOptions } from './verify.js';
export { twilioMessages, type TwilioMessagesOptions } from './messages.js';
