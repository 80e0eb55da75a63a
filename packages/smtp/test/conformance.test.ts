import { runSenderTests, type SenderScript } from '@twofa/testkit/conformance';
import { smtpSender } from '@twofa/smtp';
import { SMTP_PASSWORD, SMTP_USER, startSmtpFake, type SmtpScript } from './smtp-harness.js';

// Long enough that a loaded machine never turns an answer into a timeout; the never-answer cases wait it out.
const TIMEOUT_MS = 1_000;

/**
 * testkit's scripted failures are HTTP-shaped; these are their SMTP counterparts, played by
 * a real SMTP server (smtp-server) instead of testkit's HTTP fake.
 */
const SCRIPTS: Partial<Record<SenderScript['fail'], SmtpScript>> = {
  invalid_destination: { at: 'rcpt', reply: 550, text: '5.1.1 Recipient address rejected: User unknown' },
  blocked: { at: 'data', reply: 554, text: '5.7.1 Message rejected as spam' },
  server_error: { at: 'data', reply: 451, text: '4.3.0 Local error in processing' },
  never_answer: { at: 'connect', stall: true },
  // SMTP's answer that starts and never ends: the server took the message and never says so.
  stall_body: { at: 'data', stall: true },
  connection_reset: { at: 'rcpt', drop: true },
};

runSenderTests('smtpSender (nodemailer → smtp-server on 127.0.0.1)', async () => {
  const fake = await startSmtpFake();
  return {
    sender: smtpSender({
      transport: { host: fake.host, port: fake.port, ignoreTLS: true, auth: { user: SMTP_USER, pass: SMTP_PASSWORD } },
      from: 'no-reply@acme.example',
      timeoutMs: TIMEOUT_MS,
    }),
    to: 'alice@example.com',
    channel: 'email',
    secrets: [SMTP_PASSWORD, Buffer.from(`\0${SMTP_USER}\0${SMTP_PASSWORD}`).toString('base64')],
    timeoutMs: TIMEOUT_MS,
    script: ({ fail }) => fake.failNext(SCRIPTS[fail]!),
    // The suite sends body only (no vars): the sender mails it as the text part, unchanged.
    delivered: () => fake.received.map((m) => m.text),
    unsupported: {
      rate_limited:
        'SMTP has no Retry-After: a "slow down" reply is a 421/450/451 like any transient one, so it maps to provider_unavailable (tested in smtp-failures.test.ts)',
    },
    close: () => fake.close(),
  };
});
