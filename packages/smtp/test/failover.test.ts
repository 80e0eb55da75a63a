import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failover, type FailoverEvent, type MessageSender } from '@twofa/core';
import type { OutgoingMessage } from '@twofa/core/adapter';
import { smtpSender } from '@twofa/smtp';
import { closedPort, startSmtpFake, type SmtpFake } from './smtp-harness.js';

// Long enough that a loaded machine never turns an answer into a timeout.
const TIMEOUT_MS = 1_000;
const message: OutgoingMessage = {
  to: 'alice@example.com',
  channel: 'email',
  body: 'Your Acme verification code is 246810.',
  vars: { code: '246810', issuer: 'Acme', minutes: 10 },
};

/** failover() over two real SMTP servers: it moves on only on failures worth retrying. */
describe('failover([smtpSender(primary), smtpSender(backup)])', () => {
  let primary: SmtpFake;
  let backup: SmtpFake;
  const events: FailoverEvent[] = [];
  const at = (fake: SmtpFake | { host: string; port: number }, name: string) =>
    smtpSender({ name, transport: { host: fake.host, port: fake.port, ignoreTLS: true }, from: 'no-reply@acme.example', timeoutMs: TIMEOUT_MS });
  const pair = (first: MessageSender) =>
    failover([first, at(backup, 'smtp-backup')], { breaker: false, onEvent: (e) => void events.push(e) });

  beforeAll(async () => {
    [primary, backup] = await Promise.all([startSmtpFake(), startSmtpFake()]);
  });
  afterAll(async () => {
    await Promise.all([primary.close(), backup.close()]);
  });
  beforeEach(() => {
    primary.reset();
    backup.reset();
    events.length = 0;
  });

  it('sends through the primary when it is up, and only there', async () => {
    const r = await pair(at(primary, 'smtp-primary')).send(message);
    expect(r.id).toMatch(/^0:</);
    expect(primary.received).toHaveLength(1);
    expect(backup.connections()).toBe(0);
  });

  it('delivers through the backup when the primary is unreachable (connection refused)', async () => {
    const down = at({ host: '127.0.0.1', port: await closedPort() }, 'smtp-primary');
    const r = await pair(down).send(message);
    expect(r.id).toMatch(/^1:</);
    expect(backup.received.map((m) => m.text)).toEqual([expect.stringContaining('246810')]);
    expect(events).toContainEqual({ type: 'failover', from: 'smtp-primary', to: 'smtp-backup', code: 'provider_unavailable' });
  });

  it('delivers through the backup when the primary never greets (times out)', async () => {
    primary.failNext({ at: 'connect', stall: true });
    const t0 = performance.now();
    const r = await pair(at(primary, 'smtp-primary')).send(message);
    expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS + 1000);
    expect(r.id).toMatch(/^1:</);
    expect(primary.received).toHaveLength(0);
    expect(backup.received).toHaveLength(1);
  });

  it('delivers through the backup when the primary answers 421', async () => {
    primary.failNext({ at: 'connect', reply: 421, text: 'Too busy' });
    expect((await pair(at(primary, 'smtp-primary')).send(message)).id).toMatch(/^1:</);
    expect(backup.received).toHaveLength(1);
  });

  it('does not try the backup when the primary refuses the recipient (550: permanent)', async () => {
    primary.failNext({ at: 'rcpt', reply: 550, text: '5.1.1 User unknown' });
    await expect(pair(at(primary, 'smtp-primary')).send(message)).rejects.toMatchObject({ code: 'invalid_destination', provider: 'smtp-primary' });
    expect(backup.connections()).toBe(0);
    expect(events.filter((e) => e.type === 'failover')).toEqual([]);
  });

  it('does not try the backup when the primary refuses the message as spam (554 5.7.1)', async () => {
    primary.failNext({ at: 'data', reply: 554, text: '5.7.1 Spam' });
    await expect(pair(at(primary, 'smtp-primary')).send(message)).rejects.toMatchObject({ code: 'blocked' });
    expect(backup.connections()).toBe(0);
  });

  it('when both are down the caller gets the retryable error: never a silent success', async () => {
    primary.failNext({ at: 'connect', reply: 421, text: 'Too busy' });
    backup.failNext({ at: 'data', reply: 451, text: '4.3.0 Try later' });
    await expect(pair(at(primary, 'smtp-primary')).send(message)).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true, provider: 'smtp-backup' });
  });
});
