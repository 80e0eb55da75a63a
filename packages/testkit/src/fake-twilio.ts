import { randomBytes, randomInt } from 'node:crypto';
import { RETRY_AFTER_SECONDS, type ScriptedFailure } from './scripted-failures.js';
import { startFakeServer, type FakeServer, type ScriptedResponse } from './fake-server.js';

/**
 * A stateful stand-in for Twilio Verify v2, Lookup v2 and Messages (2010-04-01), on the
 * testkit fake server. It answers like Twilio: wrong code stays pending, a sixth check
 * after five is 429/60202, an approved or canceled verification is gone (404/20404).
 * Error bodies quote the number, as Twilio's do, so leaks in adapters show up in tests.
 */

export const TWILIO_ACCOUNT_SID = `AC${'1'.repeat(32)}`;
/** The auth token the Twilio fake accepts. */
export const TWILIO_AUTH_TOKEN = 'tok_s3cr3t_twilio_auth_token_value';
/** The Verify service sid the Twilio fake accepts. */
export const TWILIO_SERVICE_SID = `VA${'2'.repeat(32)}`;
/** A messaging service sid the Twilio fake accepts. */
export const TWILIO_MESSAGING_SERVICE_SID = `MG${'3'.repeat(32)}`;
/** Wrong codes the Twilio fake accepts before it ends a verification. */
export const TWILIO_MAX_CHECKS = 5;

interface Verification {
  sid: string;
  to: string;
  channel: string;
  code: string;
  status: 'pending' | 'approved' | 'canceled';
  checks: number;
  form: Record<string, string>;
}

/** A stateful Twilio (Verify, Messages, Lookup) on a fake server; `startTwilioFake()` starts one. */
export interface TwilioFake {
  server: FakeServer;
  url: string;
  verifications: Map<string, Verification>;
  /** Messages the Messages API accepted, oldest first. */
  messages: { to: string; body: string; from?: string; messagingServiceSid?: string }[];
  /** Line types Lookup answers per E.164 (default 'mobile'). */
  lineTypes: Map<string, string | null>;
  /** The code Twilio "sent" in the last verification to `to`. */
  lastCode(to?: string): string | undefined;
  /** Fail the next call of one kind. */
  failNext(op: 'start' | 'check' | 'cancel' | 'lookup' | 'message', failure: ScriptedFailure): void;
  /** Answer the next call of one kind with this exact response. */
  answerNext(op: 'start' | 'check' | 'cancel' | 'lookup' | 'message', response: ScriptedResponse): void;
  /** The adapters' `baseUrls` option: Twilio's Verify, Lookup and API origins → this fake. */
  baseUrls: Record<string, string>;
  /** Stops the fake. */
  close(): Promise<void>;
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
const err = (status: number, code: number, message: string, headers?: Record<string, string>): ScriptedResponse => ({
  status,
  ...(headers ? { headers } : {}),
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

const ROUTES = {
  start: ['POST', '/v2/Services/:svc/Verifications'],
  check: ['POST', '/v2/Services/:svc/VerificationCheck'],
  cancel: ['POST', '/v2/Services/:svc/Verifications/:sid'],
  lookup: ['GET', '/v2/PhoneNumbers/:number'],
  message: ['POST', '/2010-04-01/Accounts/:ac/Messages.json'],
} as const;

/** The Twilio answer for a scripted failure; `to` is quoted like Twilio does. */
export function twilioFailure(op: keyof typeof ROUTES, f: ScriptedFailure, to = '+15005550006'): ScriptedResponse {
  const messages = op === 'message';
  switch (f) {
    case 'invalid_destination':
      return messages ? err(400, 21211, `The 'To' number ${to} is not a valid phone number.`) : err(400, 60200, `Invalid parameter \`To\`: ${to}`);
    case 'send_limit':
      return err(429, 60203, 'Max send attempts reached');
    case 'channel_unsupported':
      return err(400, 60205, `SMS is not supported by landline phone number ${to}`);
    case 'blocked':
      return messages ? err(400, 21610, `Attempt to send to unsubscribed recipient ${to}`) : err(403, 60410, `Verification delivery attempt blocked for ${to}`);
    case 'rate_limited':
      return err(429, 20429, 'Too Many Requests', { 'Retry-After': String(RETRY_AFTER_SECONDS) });
    case 'server_error':
      return err(500, 20500, 'An internal server error has occurred');
    case 'never_answer':
      return { neverAnswer: true };
    case 'stall_body':
      // What Twilio would have answered, cut off half-way.
      return { stallBody: true, status: op === 'start' || messages ? 201 : 200, body: { sid: sid(messages ? 'SM' : 'VE'), status: messages ? 'queued' : 'pending' } };
    case 'connection_reset':
      return { reset: true };
  }
}

/** Starts a Twilio fake on 127.0.0.1 (a free port). */
export async function startTwilioFake(): Promise<TwilioFake> {
  const server = await startFakeServer();
  const verifications = new Map<string, Verification>();
  const messages: TwilioFake['messages'] = [];
  const lineTypes = new Map<string, string | null>();
  const notFound = () => err(404, 20404, 'The requested resource was not found');
  const auth = `Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`;
  const authed = (h: { authorization?: string | undefined }) => h.authorization === auth;
  const unauthorized = err(401, 20003, 'Authenticate');

  const verificationJson = (v: Verification) => ({
    sid: v.sid,
    service_sid: TWILIO_SERVICE_SID,
    account_sid: TWILIO_ACCOUNT_SID,
    to: v.to,
    channel: v.channel,
    status: v.status,
    valid: v.status === 'approved',
    date_created: new Date().toISOString(),
    date_updated: new Date().toISOString(),
  });

  server.route(ROUTES.start[0], ROUTES.start[1], (req) => {
    if (!authed(req.headers)) return unauthorized;
    const to = req.form.To;
    const channel = req.form.Channel;
    if (!to || !channel) return err(400, 60200, 'Invalid parameter');
    let code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    if (code === '123456') code = '654321'; // the conformance suite's "wrong" code
    const v: Verification = { sid: sid('VE'), to, channel, code, status: 'pending', checks: 0, form: req.form };
    verifications.set(v.sid, v);
    return { status: 201, body: verificationJson(v) };
  });

  server.route(ROUTES.check[0], ROUTES.check[1], (req) => {
    if (!authed(req.headers)) return unauthorized;
    const v = req.form.VerificationSid
      ? verifications.get(req.form.VerificationSid)
      : [...verifications.values()].reverse().find((x) => x.to === req.form.To);
    if (!v || v.status !== 'pending') return notFound();
    if (v.checks >= TWILIO_MAX_CHECKS) return err(429, 60202, 'Max check attempts reached');
    v.checks++;
    if (req.form.Code === v.code) v.status = 'approved';
    return { status: 200, body: verificationJson(v) };
  });

  server.route(ROUTES.cancel[0], ROUTES.cancel[1], (req) => {
    if (!authed(req.headers)) return unauthorized;
    const v = verifications.get(req.params.sid ?? '');
    if (!v || v.status !== 'pending') return notFound();
    if (req.form.Status !== 'canceled' && req.form.Status !== 'approved') return err(400, 60200, 'Invalid parameter: Status');
    v.status = req.form.Status as Verification['status'];
    return { status: 200, body: verificationJson(v) };
  });

  server.route(ROUTES.lookup[0], ROUTES.lookup[1], (req) => {
    if (!authed(req.headers)) return unauthorized;
    const number = req.params.number ?? '';
    const type = lineTypes.has(number) ? lineTypes.get(number) : 'mobile';
    const wants = (req.query.get('Fields') ?? '').split(',').includes('line_type_intelligence');
    return {
      status: 200,
      body: {
        phone_number: number,
        valid: /^\+\d{8,15}$/.test(number),
        line_type_intelligence: wants ? { type, carrier_name: 'Fake Carrier', error_code: null } : null,
        url: `https://lookups.twilio.com/v2/PhoneNumbers/${encodeURIComponent(number)}`,
      },
    };
  });

  server.route(ROUTES.message[0], ROUTES.message[1], (req) => {
    if (!authed(req.headers) || req.params.ac !== TWILIO_ACCOUNT_SID) return unauthorized;
    const { To: to, Body: body, From: from, MessagingServiceSid: mg } = req.form;
    if (!to || !body || (!from && !mg)) return err(400, 21604, 'A required parameter is missing');
    messages.push({ to, body, ...(from ? { from } : {}), ...(mg ? { messagingServiceSid: mg } : {}) });
    return { status: 201, body: { sid: sid('SM'), account_sid: TWILIO_ACCOUNT_SID, to, from: from ?? null, body, status: 'queued' } };
  });

  return {
    server,
    url: server.url,
    verifications,
    messages,
    lineTypes,
    lastCode(to) {
      const all = [...verifications.values()].filter((v) => to === undefined || v.to === to);
      return all.at(-1)?.code;
    },
    failNext(op, failure) {
      server.once(ROUTES[op][0], ROUTES[op][1], twilioFailure(op, failure));
    },
    answerNext(op, response) {
      server.once(ROUTES[op][0], ROUTES[op][1], response);
    },
    baseUrls: {
      'https://verify.twilio.com': server.url,
      'https://lookups.twilio.com': server.url,
      'https://api.twilio.com': server.url,
    },
    close: () => server.close(),
  };
}
