import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { Vonage } from '@vonage/server-sdk';
import { VONAGE_API_KEY as KEY, VONAGE_API_SECRET as SECRET, VONAGE_APPLICATION_ID as APP_ID } from '@twofa/testkit';
import { runOptionsTests } from '@twofa/testkit/conformance';
import { vonageSms, vonageVerify } from '@twofa/vonage';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const keyLine = pem.split('\n')[1]!;

const verifyBase = { applicationId: APP_ID, privateKey: pem, brand: 'Acme' };
const smsBase = { apiKey: KEY, apiSecret: SECRET, from: 'Acme' };
const jwtClient = new Vonage({ applicationId: APP_ID, privateKey: pem });
const basicClient = new Vonage({ apiKey: KEY, apiSecret: SECRET });

runOptionsTests('vonageVerify', vonageVerify, {
  valid: verifyBase,
  optional: ['client', 'timeoutMs', 'baseUrls', 'channels', 'fallback', 'codeLength', 'channelTimeoutSeconds', 'whatsappFrom', 'emailFrom'],
  secrets: [keyLine],
  invalid: [
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
  ],
});

runOptionsTests('vonageSms', vonageSms, {
  valid: smsBase,
  optional: ['client', 'timeoutMs', 'baseUrls'],
  secrets: [SECRET],
  invalid: [
    ['no sender', { ...smsBase, from: ' ' }],
    ['no API secret', { apiKey: KEY, from: 'Acme' }],
    ['no credentials', { from: 'Acme' }],
    ['a client and credentials', { ...smsBase, client: basicClient }],
    ['a zero timeout', { ...smsBase, timeoutMs: 0 }],
    ['a negative timeout', { ...smsBase, timeoutMs: -1 }],
    ['baseUrls values that are not URLs', { ...smsBase, baseUrls: { 'https://rest.nexmo.com': 42 } }],
  ],
});

describe('defaults and a ready client', () => {
  it('builds with a ready client instead of credentials', () => {
    expect(vonageVerify({ client: jwtClient, brand: 'Acme', channels: ['sms'] }).channels).toEqual(['sms']);
    expect(vonageSms({ client: basicClient, from: '+447700400080' }).channels).toEqual(['sms']);
  });
});
