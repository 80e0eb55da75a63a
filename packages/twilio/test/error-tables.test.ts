import { readFileSync } from 'node:fs';
import type { MessageSender, Verifier } from '@twofa/core';
import { TWILIO_ACCOUNT_SID as ACCOUNT_SID, TWILIO_AUTH_TOKEN as AUTH_TOKEN, TWILIO_SERVICE_SID as SERVICE_SID, startTwilioFake, type TwilioFake } from '@twofa/testkit';
import { runErrorTableTests, type ScriptedAnswer } from '@twofa/testkit/conformance';
import { twilioMessages, twilioVerify } from '@twofa/twilio';
// The mapper's own tables, to check that the guides list every code it maps.
import { TWILIO_CODES } from '../src/errors.js';

/**
 * docs/twilio-verify.md and docs/twilio-messages.md are the one truth about errors: each row
 * of their tables is scripted on the Twilio fake and every call of the adapter must do what
 * the row says; and every Twilio code the mapper knows must have its row.
 */
const TO = '+15005550006';
const VE = `VE${'0'.repeat(32)}`;
const TIMEOUT_MS = 300;
const page = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

type Op = 'start' | 'check' | 'cancel' | 'lookup' | 'message';
type Answer = { label: string; script(fake: TwilioFake, op: Op): void };
const CODE = /\b(\d{5})\b/g;

/** The HTTP status Twilio sends each code with (400 when it is not listed). */
const STATUS: Record<number, number> = { 20003: 401, 20404: 404, 20429: 429, 60202: 429, 60203: 429, 60410: 403, 60605: 403 };

/** The answers a row's first cell names, as scripts for the fake. A row naming none fails the test. */
function answers(cell: string): Answer[] {
  const out: Answer[] = [];
  for (const m of cell.matchAll(CODE)) {
    const code = Number(m[1]);
    const status = STATUS[code] ?? 400;
    out.push({ label: `Twilio ${code}`, script: (f, op) => f.answerNext(op, { status, body: { code, message: `Refused ${TO}`, status } }) });
  }
  const http = (status: number, body: unknown, headers?: Record<string, string>): Answer => ({
    label: `HTTP ${status} without a Twilio code`,
    script: (f, op) => f.answerNext(op, { status, body, ...(headers ? { headers } : {}) }),
  });
  if (/HTTP 429/.test(cell)) out.push(http(429, { message: 'Too many requests', status: 429 }, { 'Retry-After': '3' }));
  if (/HTTP 5xx/.test(cell)) out.push(http(500, { message: 'Internal error', status: 500 }), http(503, '<html>upstream</html>'));
  if (/no answer/.test(cell)) out.push({ label: 'connection reset', script: (f, op) => f.failNext(op, 'connection_reset') });
  if (/`timeoutMs`/.test(cell)) {
    out.push({ label: 'never answered', script: (f, op) => f.failNext(op, 'never_answer') });
    out.push({ label: 'body stalled', script: (f, op) => f.failNext(op, 'stall_body') });
  }
  if (/any other code or status/.test(cell)) out.push(http(400, { message: 'Bad request', status: 400 }), http(404, { message: 'Not found', status: 404 }));
  if (out.length === 0) throw new Error(`the test does not know the answer '${cell}': teach answers() to script it`);
  return out;
}

/** The table's calls, each with the fake's route it goes to. */
function holdTable<A>(doc: string, calls: Record<string, { op: Op; run(adapter: A): Promise<unknown> }>, make: (fake: TwilioFake) => A, codes: Readonly<Record<number, string>>) {
  runErrorTableTests<A>(`docs/${doc}`, page(doc), async () => {
    const fake = await startTwilioFake();
    return {
      adapter: make(fake),
      calls: Object.fromEntries(Object.entries(calls).map(([name, c]) => [name, c.run])),
      answers: (cell): ScriptedAnswer[] => answers(cell).map((a) => ({ label: a.label, script: (call) => a.script(fake, calls[call]!.op) })),
      mapped: { codes: Object.keys(codes), pattern: CODE },
      reset: () => fake.server.reset(),
      close: () => fake.close(),
    };
  });
}

const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, timeoutMs: TIMEOUT_MS };

holdTable<Verifier>(
  'twilio-verify.md',
  {
    start: { op: 'start', run: (v) => v.start({ to: TO, channel: 'sms' }) },
    check: { op: 'check', run: (v) => v.check({ id: VE, code: '123456' }) },
    cancel: { op: 'cancel', run: (v) => v.cancel(VE) },
    lookupLineType: { op: 'lookup', run: (v) => v.lookupLineType!(TO) },
  },
  (fake) => twilioVerify({ ...credentials, serviceSid: SERVICE_SID, baseUrls: fake.baseUrls }),
  TWILIO_CODES.verify,
);

holdTable<MessageSender>(
  'twilio-messages.md',
  { send: { op: 'message', run: (s) => s.send({ to: TO, body: 'Your code is 123456.', channel: 'sms' }) } },
  (fake) => twilioMessages({ ...credentials, from: '+15005550001', baseUrls: fake.baseUrls }),
  TWILIO_CODES.messages,
);
