export { twilioMessages, type TwilioMessagesOptions } from './twilio-messages.js';
