import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MessageSender, Verifier } from '@twofa/core';
import { startVonageFake, VONAGE_API_KEY, VONAGE_API_SECRET, VONAGE_APPLICATION_ID, type VonageFake, type VonageOp } from '@twofa/testkit';
import { runErrorTableTests, type ScriptedAnswer } from '@twofa/testkit/conformance';
import { vonageSms, vonageVerify } from '@twofa/vonage';
// The mapper's own tables, to check that the guides list every status it maps.
import { VONAGE_SMS_STATUS, VONAGE_STATUSES } from '../src/errors.js';

/**
 * docs/vonage-verify.md and docs/vonage-sms.md are the one truth about errors: each row of
 * their tables is scripted on the Vonage fake and every call of the adapter must do what the
 * row says; and every status the mapper knows must have its row.
 */
const TO = '+447700900000';
const TIMEOUT_MS = 300;
const page = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

type Answer = { label: string; script(fake: VonageFake, op: VonageOp): void };

const problem = (status: number, extra: Record<string, unknown> = {}) => ({
  status,
  headers: { 'content-type': 'application/json', ...(status === 429 ? { 'Retry-After': '3' } : {}) },
  body: { type: `https://developer.vonage.com/api-errors#status-${status}`, title: `Refused ${TO}`, ...extra },
});

/** The answers a row's first cell names, as scripts for the fake. A row naming none fails the test. */
function answers(cell: string): Answer[] {
  const out: Answer[] = [];
  if (cell.startsWith('status ')) {
    // SMS API per-message statuses, inside an HTTP 200.
    const statuses = [...cell.matchAll(/\b(\d{1,2})\b/g)].map((m) => m[1]!);
    if (/not listed here/.test(cell)) statuses.push('99');
    const text = /when it is `to`/.test(cell) ? 'Invalid to address' : /another one/.test(cell) ? 'Invalid from address' : `Refused ${TO}`;
    for (const status of statuses) {
      out.push({ label: `status ${status}`, script: (f, op) => f.answerNext(op, { status: 200, body: { 'message-count': '1', messages: [{ status, 'error-text': text }] } }) });
    }
    return out;
  }
  for (const m of cell.matchAll(/\b([1-5]\d\d)\b/g)) {
    const status = Number(m[1]);
    const named = status !== 422 ? {} : { invalid_parameters: [{ name: /naming `to`/.test(cell) ? 'to' : 'brand', reason: 'Invalid' }] };
    out.push({ label: `HTTP ${status}`, script: (f, op) => f.answerNext(op, problem(status, named)) });
  }
  if (/HTTP 5xx/.test(cell)) {
    out.push({ label: 'HTTP 500', script: (f, op) => f.answerNext(op, problem(500)) });
    out.push({ label: 'HTTP 503 page', script: (f, op) => f.answerNext(op, { status: 503, headers: { 'content-type': 'text/html' }, body: '<html>upstream</html>' }) });
  }
  if (/no answer/.test(cell)) out.push({ label: 'connection reset', script: (f, op) => f.failNext(op, 'connection_reset') });
  if (/cut off mid-body/.test(cell)) out.push({ label: 'body stalled', script: (f, op) => f.failNext(op, 'stall_body') });
  if (/`timeoutMs`/.test(cell)) out.push({ label: 'never answered', script: (f, op) => f.failNext(op, 'never_answer') });
  if (out.length === 0) throw new Error(`the test does not know the answer '${cell}': teach answers() to script it`);
  return out;
}

/** The table's calls, each with the fake's route it goes to. */
function holdTable<A>(
  doc: string,
  calls: Record<string, { op: VonageOp; run(adapter: A): Promise<unknown> }>,
  make: (fake: VonageFake) => A,
  mapped: { codes: string[]; pattern: RegExp },
) {
  runErrorTableTests<A>(`docs/${doc}`, page(doc), async () => {
    const fake = await startVonageFake({ concurrent: 'allow' });
    return {
      adapter: make(fake),
      calls: Object.fromEntries(Object.entries(calls).map(([name, c]) => [name, c.run])),
      answers: (cell): ScriptedAnswer[] => answers(cell).map((a) => ({ label: a.label, script: (call) => a.script(fake, calls[call]!.op) })),
      mapped,
      reset: () => fake.server.reset(),
      close: () => fake.close(),
    };
  });
}

holdTable<Verifier>(
  'vonage-verify.md',
  {
    start: { op: 'start', run: (v) => v.start({ to: TO, channel: 'sms' }) },
    check: { op: 'check', run: (v) => v.check({ id: randomUUID(), code: '123456' }) },
    cancel: { op: 'cancel', run: (v) => v.cancel(randomUUID()) },
  },
  (fake) => vonageVerify({ applicationId: VONAGE_APPLICATION_ID, privateKey: fake.privateKey, brand: 'Acme', timeoutMs: TIMEOUT_MS, baseUrls: fake.baseUrls }),
  { pattern: /\b([1-5]\d\d)\b/g, codes: Object.keys(VONAGE_STATUSES.verify) },
);

holdTable<MessageSender>(
  'vonage-sms.md',
  { send: { op: 'sms', run: (s) => s.send({ to: TO, body: 'Your code is 123456.', channel: 'sms' }) } },
  (fake) => vonageSms({ apiKey: VONAGE_API_KEY, apiSecret: VONAGE_API_SECRET, from: 'Acme', timeoutMs: TIMEOUT_MS, baseUrls: fake.baseUrls }),
  { pattern: /(?:^status |, )(\d{1,2})\b/g, codes: Object.keys(VONAGE_SMS_STATUS) },
);
