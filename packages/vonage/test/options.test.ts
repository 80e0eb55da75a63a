import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { Vonage } from '@vonage/server-sdk';
import { TwoFactorError } from '@twofa/core';
import { VONAGE_API_KEY as KEY, VONAGE_API_SECRET as SECRET, VONAGE_APPLICATION_ID as APP_ID } from '@twofa/testkit';
import { expectNoSecrets } from '@twofa/testkit/conformance';
import { vonageSms, vonageVerify } from '@twofa/vonage';

/** What a factory threw (or undefined when it built). */
function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (e) {
    return e;
  }
  return undefined;
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const keyLine = pem.split('\n')[1]!;

const configInvalid = (build: () => unknown) => {
  const e = thrown(build);
  expect(e).toBeInstanceOf(TwoFactorError);
  expect((e as TwoFactorError).code).toBe('config_invalid');
  expectNoSecrets(e, [SECRET, keyLine]);
};

const verifyBase = { applicationId: APP_ID, privateKey: pem, brand: 'Acme' };
const smsBase = { apiKey: KEY, apiSecret: SECRET, from: 'Acme' };
const jwtClient = new Vonage({ applicationId: APP_ID, privateKey: pem });
const basicClient = new Vonage({ apiKey: KEY, apiSecret: SECRET });

// Values of every wrong kind, tried in every option: a factory may accept one (it builds) or
// refuse it with config_invalid, never throw anything else (a TypeError, say).
const WRONG: unknown[] = [null, 0, -1, Number.NaN, Infinity, '', 'x', true, [], [42], {}, () => 1, Symbol('s')];

describe('vonageVerify options', () => {
  it.each([
    ['no options', undefined],
    ['null', null],
    ['a string', 'Acme'],
    ['no brand', { ...verifyBase, brand: '' }],
    ['a code length Vonage does not take', { ...verifyBase, codeLength: 11 }],
    ['a channel timeout under 60 s', { ...verifyBase, channelTimeoutSeconds: 30 }],
    ['channels that are not an array', { ...verifyBase, channels: 'sms' }],
    ['an empty channel list', { ...verifyBase, channels: [] }],
    ['an unknown channel', { ...verifyBase, channels: ['fax'] }],
    ['a fallback that is not an array', { ...verifyBase, fallback: 'call' }],
    ['email as a fallback step', { ...verifyBase, fallback: ['email'] }],
    ['no application id', { ...verifyBase, applicationId: undefined }],
    ['no private key', { ...verifyBase, privateKey: undefined }],
    ['a private key it cannot read', { ...verifyBase, privateKey: `-----BEGIN PRIVATE KEY-----\n${keyLine.slice(0, 20)}\n-----END PRIVATE KEY-----` }],
    ['a client and credentials', { ...verifyBase, client: jwtClient }],
    ['a client and baseUrls', { client: jwtClient, brand: 'Acme', baseUrls: { 'https://api.nexmo.com': 'http://127.0.0.1:1' } }],
    ['a client that is not an object', { client: 'vonage', brand: 'Acme' }],
    ['a zero timeout', { ...verifyBase, timeoutMs: 0 }],
    ['a timeout that is not a number', { ...verifyBase, timeoutMs: '10000' }],
    ['baseUrls that are not an object', { ...verifyBase, baseUrls: 'http://127.0.0.1:1' }],
    ['baseUrls for a host Vonage does not call', { ...verifyBase, baseUrls: { 'https://api.example.com': 'http://127.0.0.1:1' } }],
    ['a WhatsApp sender that is not a number', { ...verifyBase, whatsappFrom: 'Acme' }],
    ['an email sender that is not an address', { ...verifyBase, emailFrom: 'Acme' }],
  ])('refuses %s with config_invalid', (_label, options) => {
    configInvalid(() => vonageVerify(options as never));
  });

  it.each(Object.keys({ ...verifyBase, client: 0, timeoutMs: 0, baseUrls: 0, channels: 0, fallback: 0, codeLength: 0, channelTimeoutSeconds: 0, whatsappFrom: 0, emailFrom: 0 }))(
    'a wrong value for %s builds or throws config_invalid, nothing else',
    (key) => {
      for (const value of WRONG) {
        const e = thrown(() => vonageVerify({ ...verifyBase, [key]: value } as never));
        if (e !== undefined) expect(e, `${key}: ${String(value)}`).toMatchObject({ code: 'config_invalid' });
      }
    },
  );

  it('builds with credentials, or with a ready client', () => {
    expect(vonageVerify(verifyBase).name).toBe('vonage-verify');
    expect(vonageVerify({ client: jwtClient, brand: 'Acme', channels: ['sms'] }).channels).toEqual(['sms']);
  });
});

describe('vonageSms options', () => {
  it.each([
    ['no options', undefined],
    ['null', null],
    ['an array', [smsBase]],
    ['no sender', { ...smsBase, from: ' ' }],
    ['no API secret', { apiKey: KEY, from: 'Acme' }],
    ['no credentials', { from: 'Acme' }],
    ['a client and credentials', { ...smsBase, client: basicClient }],
    ['a zero timeout', { ...smsBase, timeoutMs: 0 }],
    ['a negative timeout', { ...smsBase, timeoutMs: -1 }],
    ['baseUrls values that are not URLs', { ...smsBase, baseUrls: { 'https://rest.nexmo.com': 42 } }],
  ])('refuses %s with config_invalid', (_label, options) => {
    configInvalid(() => vonageSms(options as never));
  });

  it.each(Object.keys({ ...smsBase, client: 0, timeoutMs: 0, baseUrls: 0 }))('a wrong value for %s builds or throws config_invalid, nothing else', (key) => {
    for (const value of WRONG) {
      const e = thrown(() => vonageSms({ ...smsBase, [key]: value } as never));
      if (e !== undefined) expect(e, `${key}: ${String(value)}`).toMatchObject({ code: 'config_invalid' });
    }
  });

  it('builds with credentials, or with a ready client', () => {
    expect(vonageSms(smsBase).channels).toEqual(['sms']);
    expect(vonageSms({ client: basicClient, from: '+447700400080' }).name).toBe('vonage-sms');
  });
});
