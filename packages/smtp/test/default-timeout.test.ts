import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectGivesUpAt } from '@twofa/testkit/conformance';
import { smtpSender } from '@twofa/smtp';
import { startSmtpFake, type SmtpFake } from './smtp-harness.js';

describe('default timeout (smtpSender)', () => {
  let fake: SmtpFake;
  beforeAll(async () => {
    fake = await startSmtpFake();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('a server that never greets fails with provider_unavailable at 10 s, not before', async () => {
    fake.failNext({ at: 'connect', stall: true });
    const s = smtpSender({ transport: { host: fake.host, port: fake.port, ignoreTLS: true }, from: 'no-reply@acme.example' });
    await expectGivesUpAt(10_000, () => s.send({ to: 'alice@example.com', body: 'code 1', channel: 'email' }), () => fake.connections() > 0);
  });
});
