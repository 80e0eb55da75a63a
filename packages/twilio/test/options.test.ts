import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { TwoFactorError } from '@twofa/core';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_MESSAGING_SERVICE_SID as MG, TWILIO_SERVICE_SID as SERVICE_SID } from '@twofa/testkit';
import { expectNoSecrets } from '@twofa/testkit/conformance';
import { twilioMessages, twilioVerify } from '@twofa/twilio';

/** What a factory threw (or undefined when it built). */
function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (e) {
    return e;
  }
  return undefined;
}

const configInvalid = (build: () => unknown) => {
  const e = thrown(build);
  expect(e).toBeInstanceOf(TwoFactorError);
  expect((e as TwoFactorError).code).toBe('config_invalid');
  expectNoSecrets(e, [AUTH_TOKEN]);
};

const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };
const verifyBase = { ...credentials, serviceSid: SERVICE_SID };
const messagesBase = { ...credentials, from: '+15005550001' };
const client = twilio(ACCOUNT_SID, AUTH_TOKEN);

// Values of every wrong kind, tried in every option: a factory may accept one (it builds) or
// refuse it with config_invalid, never throw anything else (a TypeError, say).
const WRONG: unknown[] = [null, 0, -1, Number.NaN, Infinity, '', 'x', true, [], [42], {}, () => 1, Symbol('s')];

describe('twilioVerify options', () => {
  it.each([
    ['no options', undefined],
    ['null', null],
    ['a string', 'VA…'],
    ['an array', [verifyBase]],
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
  ])('refuses %s with config_invalid', (_label, options) => {
    configInvalid(() => twilioVerify(options as never));
  });

  it.each(Object.keys({ ...verifyBase, client: 0, timeoutMs: 0, baseUrls: 0, channels: 0, customFriendlyName: 0, codeTtlSeconds: 0, lookup: 0 }))(
    'a wrong value for %s builds or throws config_invalid, nothing else',
    (key) => {
      for (const value of WRONG) {
        const e = thrown(() => twilioVerify({ ...verifyBase, [key]: value } as never));
        if (e !== undefined) expect(e, `${key}: ${String(value)}`).toMatchObject({ code: 'config_invalid' });
      }
    },
  );

  it('builds with credentials, or with a ready client', () => {
    expect(twilioVerify(verifyBase).name).toBe('twilio-verify');
    expect(twilioVerify({ client, serviceSid: SERVICE_SID }).channels).toEqual(['sms', 'call', 'whatsapp', 'email']);
  });
});

describe('twilioMessages options', () => {
  it.each([
    ['no options', undefined],
    ['null', null],
    ['a number', 42],
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
  ])('refuses %s with config_invalid', (_label, options) => {
    configInvalid(() => twilioMessages(options as never));
  });

  it.each(Object.keys({ ...messagesBase, client: 0, timeoutMs: 0, baseUrls: 0, channels: 0, messagingServiceSid: 0 }))(
    'a wrong value for %s builds or throws config_invalid, nothing else',
    (key) => {
      for (const value of WRONG) {
        const e = thrown(() => twilioMessages({ ...messagesBase, [key]: value } as never));
        if (e !== undefined) expect(e, `${key}: ${String(value)}`).toMatchObject({ code: 'config_invalid' });
      }
    },
  );

  it('builds with from, or with a messaging service and a ready client', () => {
    expect(twilioMessages(messagesBase).channels).toEqual(['sms']);
    expect(twilioMessages({ client, messagingServiceSid: MG, channels: ['sms', 'whatsapp'] }).channels).toEqual(['sms', 'whatsapp']);
  });
});
