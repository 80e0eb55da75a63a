import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode, OutgoingMessage } from '@twofa/core/adapter';
import { expectNoSecrets, expectTwoFactorError } from '@twofa/testkit/conformance';
import { smtpSender } from '@twofa/smtp';
import { closedPort, SMTP_PASSWORD, SMTP_USER, startSmtpFake, type SmtpFake, type SmtpScript } from './smtp-harness.js';

/** For the sends that are about a timeout. */
const TIMEOUT_MS = 250;
/** For the sends whose server answers: far above any answer, so a slow machine cannot turn an answer into a timeout. */
const ANSWER_MS = 5_000;
const TO = 'alice.liddell@example.com';
const CODE = '318504';
const message = (): OutgoingMessage => ({
  to: TO,
  channel: 'email',
  body: `Your Acme verification code is ${CODE}.`,
  vars: { code: CODE, issuer: 'Acme', minutes: 10 },
});
/** What no error may show: the address (servers quote it in their replies), the code, the credentials. */
const SECRETS = [TO, CODE, SMTP_USER, SMTP_PASSWORD, Buffer.from(`\0${SMTP_USER}\0${SMTP_PASSWORD}`).toString('base64')];

describe('smtpSender failures against a real SMTP server', () => {
  let fake: SmtpFake;
  const sender = (extra: object = {}, timeoutMs = ANSWER_MS) =>
    smtpSender({ transport: { host: fake.host, port: fake.port, ignoreTLS: true, ...extra }, from: 'no-reply@acme.example', timeoutMs });

  beforeAll(async () => {
    fake = await startSmtpFake();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const replies: [label: string, script: SmtpScript, code: ErrorCode, retryable: boolean, providerCode: number][] = [
    // The server quotes the address in its reply, as Postfix does: the error must not.
    ['550 5.1.1 user unknown on RCPT', { at: 'rcpt', reply: 550, text: `5.1.1 <${TO}>: Recipient address rejected: User unknown` }, 'invalid_destination', false, 550],
    ['553 5.1.3 bad address on RCPT', { at: 'rcpt', reply: 553, text: `5.1.3 <${TO}>: bad address syntax` }, 'invalid_destination', false, 553],
    ['501 5.1.3 syntax on RCPT', { at: 'rcpt', reply: 501, text: '5.1.3 Bad recipient address syntax' }, 'invalid_destination', false, 501],
    ['550 5.7.1 refused by policy on RCPT', { at: 'rcpt', reply: 550, text: `5.7.1 <${TO}>: Recipient address rejected: Access denied` }, 'blocked', false, 550],
    ['450 4.2.0 greylisted on RCPT', { at: 'rcpt', reply: 450, text: `4.2.0 <${TO}>: Recipient address rejected: Greylisted` }, 'provider_unavailable', true, 450],
    ['452 4.5.3 on RCPT', { at: 'rcpt', reply: 452, text: '4.5.3 Too many recipients' }, 'provider_unavailable', true, 452],
    ['421 at the greeting', { at: 'connect', reply: 421, text: 'smtp.fake.test Service not available, try again later' }, 'provider_unavailable', true, 421],
    ['554 at the greeting (our IP is listed)', { at: 'connect', reply: 554, text: 'Service unavailable; client host blocked' }, 'blocked', false, 554],
    ['451 4.3.0 after DATA', { at: 'data', reply: 451, text: '4.3.0 Error: queue file write error' }, 'provider_unavailable', true, 451],
    ['554 5.7.1 spam after DATA', { at: 'data', reply: 554, text: `5.7.1 Message rejected as spam, code ${CODE} looks suspicious` }, 'blocked', false, 554],
    ['550 5.7.1 policy after DATA', { at: 'data', reply: 550, text: '5.7.1 Message content rejected' }, 'blocked', false, 550],
    ['552 5.3.4 too big after DATA', { at: 'data', reply: 552, text: '5.3.4 Message size exceeds fixed limit' }, 'provider_error', false, 552],
    ['553 5.7.1 our sender refused on MAIL FROM', { at: 'mail', reply: 553, text: '5.7.1 <no-reply@acme.example>: Sender address rejected: not owned by user' }, 'provider_error', false, 553],
    ['451 4.7.1 on MAIL FROM (rate limited)', { at: 'mail', reply: 451, text: '4.7.1 Too many messages, slow down' }, 'provider_unavailable', true, 451],
  ];

  it.each(replies)('%s → %s', async (_label, script, code, retryable, providerCode) => {
    fake.failNext(script);
    const e = await expectTwoFactorError(sender().send(message()), code);
    expect(e).toMatchObject({ retryable, providerCode, provider: 'smtp' });
    expect(e.cause).toBeUndefined();
    expectNoSecrets(e, SECRETS);
    expect(fake.received).toHaveLength(0);
  });

  it('535 on AUTH (wrong password) → provider_error, not retried elsewhere', async () => {
    const s = sender({ auth: { user: SMTP_USER, pass: `${SMTP_PASSWORD}-wrong` } });
    const e = await expectTwoFactorError(s.send(message()), 'provider_error');
    expect(e).toMatchObject({ retryable: false, providerCode: 535 });
    expect(e.message).toContain('535 5.7.8 on AUTH');
    expectNoSecrets(e, [...SECRETS, `${SMTP_PASSWORD}-wrong`]);
  });

  it('454 on AUTH (temporary) → provider_unavailable', async () => {
    fake.failNext({ at: 'auth', reply: 454, text: '4.7.0 Temporary authentication failure' });
    const e = await expectTwoFactorError(sender({ auth: { user: SMTP_USER, pass: SMTP_PASSWORD } }).send(message()), 'provider_unavailable');
    expect(e.providerCode).toBe(454);
    expectNoSecrets(e, SECRETS);
  });

  it.each([
    ['never greets', { at: 'connect', stall: true }],
    ['stalls after MAIL FROM', { at: 'mail', stall: true }],
    ['stalls after DATA (the message is in, no reply)', { at: 'data', stall: true }],
  ] as const)('a server that %s → provider_unavailable at the timeout', async (_label, script) => {
    fake.failNext(script);
    const t0 = performance.now();
    const e = await expectTwoFactorError(sender({}, TIMEOUT_MS).send(message()), 'provider_unavailable');
    const took = performance.now() - t0;
    expect(e.retryable).toBe(true);
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(took).toBeLessThan(TIMEOUT_MS + 500);
    expectNoSecrets(e, SECRETS);
    expect(fake.connections()).toBe(1);
  });

  it('the overall limit holds where socket timeouts would not: a slow drip resets them', async () => {
    // The app set 10 s socket timeouts of its own; the send still ends at timeoutMs.
    fake.failNext({ at: 'data', stall: true });
    const s = smtpSender({
      transport: { host: fake.host, port: fake.port, ignoreTLS: true, socketTimeout: 10_000, greetingTimeout: 10_000 },
      from: 'no-reply@acme.example',
      timeoutMs: TIMEOUT_MS,
    });
    const t0 = performance.now();
    const e = await expectTwoFactorError(s.send(message()), 'provider_unavailable');
    expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS + 500);
    expect(e.message).toBe(`smtp: send timed out after ${TIMEOUT_MS} ms.`);
  });

  it.each([
    ['at the greeting', { at: 'connect', drop: true }],
    ['after RCPT TO', { at: 'rcpt', drop: true }],
    ['after DATA', { at: 'data', drop: true }],
  ] as const)('a connection dropped %s → provider_unavailable', async (_label, script) => {
    fake.failNext(script);
    const e = await expectTwoFactorError(sender().send(message()), 'provider_unavailable');
    expect(e).toMatchObject({ retryable: true, providerCode: 'ECONNECTION' });
    expectNoSecrets(e, SECRETS);
  });

  it('a refused connection (nothing listening) → provider_unavailable, at once', async () => {
    const s = smtpSender({ transport: { host: '127.0.0.1', port: await closedPort(), ignoreTLS: true }, from: 'no-reply@acme.example', timeoutMs: ANSWER_MS });
    const t0 = performance.now();
    const e = await expectTwoFactorError(s.send(message()), 'provider_unavailable');
    expect(performance.now() - t0).toBeLessThan(ANSWER_MS / 5); // not at the timeout
    expect(e).toMatchObject({ retryable: true, providerCode: 'ESOCKET' });
    expectNoSecrets(e, SECRETS);
  });

  it('after a failure the next send goes through (no state kept from a broken session)', async () => {
    const s = sender();
    fake.failNext({ at: 'data', drop: true });
    await expect(s.send(message())).rejects.toMatchObject({ code: 'provider_unavailable' });
    await s.send(message());
    expect(fake.received).toHaveLength(1);
  });
});
