import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localVerifier, MemoryStore, type LocalVerifier } from '@twofa/core';
import { KeyRing, systemRandom } from '@twofa/core/adapter';
import { FakeClock } from '@twofa/testkit';
import { smtpSender } from '@twofa/smtp';
import { startSmtpFake, type SmtpFake } from './smtp-harness.js';

/**
 * localVerifier → smtpSender → a real SMTP server: the code that arrives by email is the one
 * the verifier accepts. Until core's email() method lands, this is the whole email path.
 */
describe('localVerifier({ sender: smtpSender(...) })', () => {
  let fake: SmtpFake;
  let verifier: LocalVerifier;

  beforeAll(async () => {
    fake = await startSmtpFake();
    const sender = smtpSender({ transport: { host: fake.host, port: fake.port, ignoreTLS: true }, from: { name: 'Acme', address: 'no-reply@acme.example' }, timeoutMs: 2000 });
    verifier = localVerifier({ sender, ttlSeconds: 300 });
    verifier.attach({
      clock: new FakeClock(),
      random: systemRandom,
      logger: { warn: () => {} },
      keys: new KeyRing(['a'.repeat(64)], systemRandom),
      store: new MemoryStore(),
      issuer: 'Acme',
    });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1]!;

  it('emails the code in the asked language, subject without it, and the emailed code checks', async () => {
    const started = await verifier.start({ to: 'alice@example.com', channel: 'email', locale: 'de' });
    const m = fake.received.at(-1)!;
    expect(m.subject).toBe('Ihr Acme-Bestätigungscode');
    expect(m.text).toContain('Er läuft in 5 Minuten ab.');
    const code = codeIn(m.text);
    expect(m.subject).not.toContain(code);
    expect(m.html).toContain(code);
    expect(await verifier.check({ id: started.id, code: code === '000000' ? '000001' : '000000' })).toBe('pending');
    expect(await verifier.check({ id: started.id, code })).toBe('approved');
  });

  it('a refused recipient is the caller’s error and leaves no code behind', async () => {
    fake.failNext({ at: 'rcpt', reply: 550, text: '5.1.1 User unknown' });
    await expect(verifier.start({ to: 'nobody@example.com', channel: 'email' })).rejects.toMatchObject({ code: 'invalid_destination' });
    expect(fake.received).toHaveLength(0);
  });

  it('refuses the sms channel: the sender only offers email', async () => {
    expect(verifier.channels).toEqual(['email']);
    await expect(verifier.start({ to: '+14155550123', channel: 'sms' })).rejects.toMatchObject({ code: 'channel_unsupported' });
  });
});
