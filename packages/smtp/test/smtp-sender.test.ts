import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import type { OutgoingMessage } from '@twofa/core/adapter';
import { smtpSender, type EmailTemplate } from '@twofa/smtp';
import { SMTP_PASSWORD, SMTP_USER, startSmtpFake, type SmtpFake } from './smtp-harness.js';

const TO = 'alice@example.com';
const FROM = { name: 'Acme', address: 'no-reply@acme.example' };
const email = (code: string, locale?: string, issuer = 'Acme'): OutgoingMessage => ({
  to: TO,
  channel: 'email',
  body: `Your ${issuer} verification code is ${code}.`,
  vars: { code, issuer, minutes: 10, ...(locale ? { locale } : {}) },
});

describe('smtpSender on a real SMTP server', () => {
  let fake: SmtpFake;
  const transport = () => ({ host: fake.host, port: fake.port, secure: false, ignoreTLS: true });

  beforeAll(async () => {
    fake = await startSmtpFake();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('delivers from, to, a subject without the code, and text and HTML parts with it', async () => {
    const s = smtpSender({ transport: transport(), from: FROM, timeoutMs: 2000 });
    const r = await s.send(email('481516'));
    expect(r.id).toMatch(/^<.+@acme\.example>$/);
    const m = fake.received.at(-1)!;
    expect(m.envelopeFrom).toBe('no-reply@acme.example');
    expect(m.envelopeTo).toEqual([TO]);
    expect(m.from).toBe('"Acme" <no-reply@acme.example>');
    expect(m.to).toBe(TO);
    expect(m.subject).toBe('Your Acme verification code');
    expect(m.subject).not.toContain('481516');
    expect(m.text).toContain('Your Acme verification code is:\n\n    481516\n');
    expect(m.text).toContain('expires in 10 minutes');
    expect(m.html).toContain('<html lang="en">');
    expect(m.html).toMatch(/>481516<\/p>/);
    expect(m.headers.get('auto-submitted')).toBe('auto-generated');
    expect(m.raw).not.toMatch(/^Subject:.*481516/m);
  });

  it.each([
    ['fr', 'Votre code de vérification Acme', 'Votre code de vérification Acme est :'],
    ['fr-CA', 'Votre code de vérification Acme', 'Il expire dans 10 minutes.'],
    ['es', 'Tu código de verificación de Acme', 'Caduca en 10 minutos.'],
    ['de-AT', 'Ihr Acme-Bestätigungscode', 'Er läuft in 10 Minuten ab.'],
    ['DE', 'Ihr Acme-Bestätigungscode', 'Ihr Acme-Bestätigungscode lautet:'],
    ['ja', 'Your Acme verification code', 'It expires in 10 minutes.'], // no Japanese template: English
  ])('locale %s picks its language', async (locale, subject, sentence) => {
    const s = smtpSender({ transport: transport(), from: FROM });
    await s.send(email('272829', locale));
    const m = fake.received.at(-1)!;
    expect(m.subject).toBe(subject);
    expect(m.text).toContain(sentence);
    expect(m.text).toContain('272829');
    expect(m.html).toContain(`lang="${locale.split('-')[0]!.toLowerCase() === 'ja' ? 'en' : locale.split('-')[0]!.toLowerCase()}"`);
  });

  it('escapes the values in the HTML part, not in the text part', async () => {
    const s = smtpSender({ transport: transport(), from: FROM });
    await s.send(email('123456', 'en', 'Q&A <script>alert("x")</script>'));
    const m = fake.received.at(-1)!;
    expect(m.html).toContain('Q&amp;A &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.text).toContain('Your Q&A <script>alert("x")</script> verification code is:');
  });

  it('a subject stays one header line, whatever the issuer holds', async () => {
    const s = smtpSender({ transport: transport(), from: FROM });
    await s.send(email('123456', 'en', 'Acme\r\nBcc: victim@evil.test'));
    const m = fake.received.at(-1)!;
    expect(m.subject).toBe('Your Acme Bcc: victim@evil.test verification code');
    expect(m.envelopeTo).toEqual([TO]);
    expect(m.raw.split('\r\n\r\n')[0]).not.toMatch(/^Bcc:/im); // (the text part may say what it likes)
  });

  it('codeInSubject: true puts the code in the built-in subjects', async () => {
    const s = smtpSender({ transport: transport(), from: FROM, codeInSubject: true });
    await s.send(email('554433', 'es'));
    expect(fake.received.at(-1)!.subject).toBe('554433 es tu código de verificación de Acme');
  });

  it("app templates override a language and add new ones; html gets escaped values", async () => {
    const it_: EmailTemplate = {
      subject: (v) => `Il tuo codice ${v.issuer}`,
      text: (v) => `Codice: ${v.code} (scade tra ${v.minutes} minuti)`,
      html: (v) => `<p>${v.issuer}: <b>${v.code}</b></p>`,
    };
    const en: EmailTemplate = { subject: () => 'Sign-in code', text: (v) => `Code ${v.code}`, html: (v) => `<b>${v.code}</b>` };
    const s = smtpSender({ transport: transport(), from: FROM, templates: { it: it_, en } });
    await s.send(email('101010', 'it-IT', 'A&B'));
    expect(fake.received.at(-1)).toMatchObject({ subject: 'Il tuo codice A&B', text: 'Codice: 101010 (scade tra 10 minuti)', html: '<p>A&amp;B: <b>101010</b></p>' });
    await s.send(email('202020', 'en'));
    expect(fake.received.at(-1)).toMatchObject({ subject: 'Sign-in code', text: 'Code 202020' });
    await s.send(email('303030', 'fr')); // the built-in French is still there
    expect(fake.received.at(-1)!.subject).toBe('Votre code de vérification Acme');
  });

  it('refuses a template whose subject shows the code, unless codeInSubject', async () => {
    const leaky: EmailTemplate = { subject: (v) => `Code ${v.code}`, text: (v) => v.code, html: (v) => v.code };
    expect(() => smtpSender({ transport: transport(), from: FROM, templates: { en: leaky } })).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
    // A subject that shows the code only sometimes is caught at send, before anything is sent.
    const sneaky: EmailTemplate = { ...leaky, subject: (v) => (v.minutes === 3 ? `Code ${v.code}` : 'Your code') };
    const s = smtpSender({ transport: transport(), from: FROM, templates: { en: sneaky } });
    await expect(s.send({ ...email('676767'), vars: { code: '676767', issuer: 'Acme', minutes: 3 } })).rejects.toMatchObject({ code: 'config_invalid' });
    expect(fake.connections()).toBe(0);
    const allowed = smtpSender({ transport: transport(), from: FROM, templates: { en: leaky }, codeInSubject: true });
    await allowed.send(email('676767'));
    expect(fake.received.at(-1)!.subject).toBe('Code 676767');
  });

  it('without vars, sends the body as the text part, with a subject naming the issuer', async () => {
    const s = smtpSender({ transport: transport(), from: FROM });
    s.attach({ issuer: 'Initech' } as never);
    const body = 'Your Initech verification code is 909090. It expires in 10 minutes.';
    await s.send({ to: TO, body, channel: 'email' });
    const m = fake.received.at(-1)!;
    expect(m).toMatchObject({ subject: 'Your Initech verification code', text: body, html: false });
    const own = smtpSender({ transport: transport(), from: FROM, issuer: 'Globex', defaultLocale: 'de' });
    await own.send({ to: TO, body, channel: 'email' });
    expect(fake.received.at(-1)!.subject).toBe('Ihr Globex-Bestätigungscode');
  });

  it('sends an IDN recipient in ASCII (punycode)', async () => {
    const s = smtpSender({ transport: transport(), from: FROM });
    await s.send({ ...email('111222'), to: 'user@bücher.example' });
    // smtp-server shows envelope addresses decoded; the header is as nodemailer sent it.
    expect(fake.received.at(-1)!.raw).toMatch(/^To: user@xn--bcher-kva\.example\r$/m);
  });

  it('sends every atext character of a local part intact', async () => {
    const s = smtpSender({ transport: transport(), from: FROM });
    const to = "x!#$%&'*+/=?^_`{|}~-@example.com";
    await s.send({ ...email('111333'), to });
    expect(fake.received.at(-1)!.envelopeTo).toEqual([to]);
  });

  it('close() ends the pool of a transport it made (a passed transporter: see below)', async () => {
    const s = smtpSender({ transport: { ...transport(), pool: true }, from: FROM });
    await s.send(email('1'));
    expect(fake.open()).toBe(1); // the pool keeps its connection for the next send
    s.close();
    await expect.poll(() => fake.open(), { timeout: 2000 }).toBe(0);
  });

  it('refuses other channels and invalid or hostile addresses without connecting', async () => {
    const s = smtpSender({ transport: transport(), from: FROM });
    await expect(s.send({ ...email('1'), channel: 'sms' })).rejects.toMatchObject({ code: 'channel_unsupported' });
    for (const to of ['+14155550123', 'a@b', `${TO}\r\nRCPT TO:<victim@evil.test>`, `${TO},bob@example.com`, '"x y"@example.com']) {
      await expect(s.send({ ...email('1'), to })).rejects.toMatchObject({ code: 'invalid_destination', retryable: false });
    }
    expect(fake.connections()).toBe(0);
  });

  it('logs in with AUTH when given credentials (PLAIN over loopback)', async () => {
    const s = smtpSender({ transport: { ...transport(), auth: { user: SMTP_USER, pass: SMTP_PASSWORD } }, from: FROM });
    await s.send(email('444555'));
    expect(fake.received).toHaveLength(1);
  });

  it('takes a connection URL and a ready transporter', async () => {
    await smtpSender({ transport: `smtp://${fake.host}:${fake.port}?ignoreTLS=true`, from: FROM }).send(email('1'));
    const transporter = nodemailer.createTransport({ ...transport() });
    const s = smtpSender({ transporter, from: 'codes@acme.example' });
    await s.send(email('2'));
    s.close(); // not ours: left open
    await smtpSender({ transporter, from: 'codes@acme.example' }).send(email('3'));
    expect(fake.received.map((m) => m.text.trim().split(/\s+/).find((w) => /^\d$/.test(w)))).toEqual(['1', '2', '3']);
    expect(fake.received.at(-1)!.from).toBe('codes@acme.example');
  });

  it('refuses bad configuration with config_invalid', () => {
    const bad: unknown[] = [
      {},
      { transport: transport() },
      { transport: transport(), from: 'Acme <no-reply@acme.example>' },
      { transport: transport(), from: 'not an address' },
      { transport: transport(), from: { name: 'Acme\r\nBcc: x@evil.test', address: 'no-reply@acme.example' } },
      { from: FROM },
      { transport: transport(), from: FROM, timeoutMs: 0 },
      { transport: transport(), from: FROM, timeoutMs: Number.NaN },
      { transport: transport(), from: FROM, defaultLocale: 'it' },
      { transport: transport(), from: FROM, templates: { it: { subject: () => 'x' } } },
      { transport: transport(), from: FROM, name: 'smtp with spaces' },
      { transporter: {}, from: FROM },
    ];
    for (const o of bad) expect(() => smtpSender(o as never), JSON.stringify(o)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
  });
});
