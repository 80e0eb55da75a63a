import { startVonageFake, VONAGE_APPLICATION_ID, type VonageFake } from '@twofa/testkit';
import { runVerifierTests } from '@twofa/testkit/conformance';
import { vonageVerify } from '@twofa/vonage';

const TIMEOUT_MS = 300;

runVerifierTests('vonageVerify (official client → scripted Vonage fake)', async () => {
  // The suite starts many verifications to one number without finishing them; real Vonage
  // refuses that with 409 (tested on its own in vonage-verify.test.ts), so the fake allows it here.
  const fake: VonageFake = await startVonageFake({ concurrent: 'allow' });
  return {
    verifier: vonageVerify({ applicationId: VONAGE_APPLICATION_ID, privateKey: fake.privateKey, brand: 'Acme', timeoutMs: TIMEOUT_MS, baseUrls: fake.baseUrls }),
    to: '+447700900000',
    channel: 'sms',
    secrets: [fake.privateKey.split('\n')[1]!, '123456'],
    timeoutMs: TIMEOUT_MS,
    unsupported: {
      blocked: 'Vonage Verify v2 reports fraud blocks on the status webhook, not as an answer to the start call.',
      channel_unsupported: 'Vonage Verify v2 has no per-destination channel refusal on start; a failed delivery moves the workflow on.',
    },
    script(s) {
      if ('fail' in s) return fake.failNext(s.op === 'start' ? 'start' : s.op, s.fail);
      if (s.op === 'cancel') return fake.answerNext('cancel', { status: 404, body: { title: 'Not Found', type: 'https://developer.vonage.com/api-errors#not-found' } });
      const answers = {
        approved: { status: 200, body: { request_id: 'x', status: 'completed' } },
        pending: { status: 400, body: { title: 'Invalid Code', type: 'https://www.developer.vonage.com/api-errors/verify#invalid-code' } },
        expired: { status: 404, body: { title: 'Not Found', type: 'https://developer.vonage.com/api-errors#not-found' } },
        max_attempts: { status: 410, body: { title: 'Invalid Code', type: 'https://www.developer.vonage.com/api-errors/verify#expired' } },
      } as const;
      fake.answerNext('check', answers[s.status]);
    },
    close: () => fake.close(),
  };
});
