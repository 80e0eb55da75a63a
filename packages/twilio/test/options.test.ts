import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_MESSAGING_SERVICE_SID as MG, TWILIO_SERVICE_SID as SERVICE_SID } from '@twofa/testkit';
import { runOptionsTests } from '@twofa/testkit/conformance';
import { twilioMessages, twilioVerify } from '@twofa/twilio';

const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
const verifyBase = { ...credentials, serviceSid: SERVICE_SID };
const messagesBase = { ...credentials, from: '+15005550001' };
const client = twilio(ACCOUNT_SID, AUTH_TOKEN);

runOptionsTests('twilioVerify', twilioVerify, {
  valid: verifyBase,
  optional: ['client', 'timeoutMs', 'baseUrls', 'channels', 'customFriendlyName', 'codeTtlSeconds', 'lookup'],
  secrets: [AUTH_TOKEN],
  invalid: [
    ['no serviceSid', { ...credentials }],
    ['a malformed serviceSid', { ...verifyBase, serviceSid: 'VA123' }],
    ['no credentials', { serviceSid: SERVICE_SID }],
    ['no authToken', { accountSid: ACCOUNT_SID, serviceSid: SERVICE_SID }],
    ['a malformed accountSid', { ...verifyBase, accountSid: 'ACshort' }],
    ['a client and credentials', { ...verifyBase, client }],
    ['a client and baseUrls', { client, serviceSid: SERVICE_SID, baseUrls: { 'https://verify.twilio.com': 'http://127.0.0.1:1' } }],
    ['a client that is not an object', { client: 'twilio', serviceSid: SERVICE_SID }],
    ['channels that are not an array', { ...verifyBase, channels: 'sms' }],
    ['an empty channel list', { ...verifyBase, channels: [] }],
    ['an unknown channel', { ...verifyBase, channels: ['sms', 'fax'] }],
    ['a zero timeout', { ...verifyBase, timeoutMs: 0 }],
    ['a negative timeout', { ...verifyBase, timeoutMs: -5 }],
    ['a timeout that is not a number', { ...verifyBase, timeoutMs: '10000' }],
    ['an infinite timeout', { ...verifyBase, timeoutMs: Infinity }],
    ['baseUrls that are not an object', { ...verifyBase, baseUrls: 'http://127.0.0.1:1' }],
    ['baseUrls that are not URLs', { ...verifyBase, baseUrls: { 'https://verify.twilio.com': 'localhost' } }],
    ['a codeTtlSeconds of 0', { ...verifyBase, codeTtlSeconds: 0 }],
    ['a lookup flag that is not a boolean', { ...verifyBase, lookup: 'yes' }],
    ['an empty customFriendlyName', { ...verifyBase, customFriendlyName: ' ' }],
  ],
});

runOptionsTests('twilioMessages', twilioMessages, {
  valid: messagesBase,
  optional: ['client', 'timeoutMs', 'baseUrls', 'channels', 'messagingServiceSid'],
  secrets: [AUTH_TOKEN],
  invalid: [
    ['neither from nor messagingServiceSid', { ...credentials }],
    ['both from and messagingServiceSid', { ...messagesBase, messagingServiceSid: MG }],
    ['an empty from', { ...credentials, from: '' }],
    ['a malformed messagingServiceSid', { ...credentials, messagingServiceSid: 'MG1' }],
    ['no credentials', { from: '+15005550001' }],
    ['a client and credentials', { ...messagesBase, client }],
    ['channels that are not an array', { ...messagesBase, channels: 'sms' }],
    ['a channel Messages cannot carry', { ...messagesBase, channels: ['call'] }],
    ['a zero timeout', { ...messagesBase, timeoutMs: 0 }],
    ['a timeout that is not a number', { ...messagesBase, timeoutMs: null }],
    ['baseUrls with a key that is not a URL', { ...messagesBase, baseUrls: { api: 'http://127.0.0.1:1' } }],
  ],
});

describe('defaults and a ready client', () => {
  it('twilioVerify offers every channel; twilioMessages sms, or what it is given', () => {
    expect(twilioVerify({ client, serviceSid: SERVICE_SID }).channels).toEqual(['sms', 'call', 'whatsapp', 'email']);
    expect(twilioMessages(messagesBase).channels).toEqual(['sms']);
    expect(twilioMessages({ client, messagingServiceSid: MG, channels: ['sms', 'whatsapp'] }).channels).toEqual(['sms', 'whatsapp']);
  });
});
