export { vonageSms, type VonageSmsOptions } from './vonage-sms.js';
export { VONAGE_SMS_STATUS, smsStatusCode } from './sms-status.js';
export { isGsm7 } from './gsm.js';
