import { generateKeyPairSync, type KeyObject, randomBytes, randomInt, randomUUID, verify as verifySignature } from 'node:crypto';
import { RETRY_AFTER_SECONDS, type ScriptedFailure } from './scripted-failures.js';
import { startFakeServer, type FakeServer, type ScriptedResponse } from './fake-server.js';

/**
 * A stateful stand-in for Vonage Verify v2 (JWT auth) and the Vonage SMS API (basic auth),
 * on the testkit fake server. It answers like Vonage: a wrong code is 400 invalid-code and
 * stays open, too many wrong codes end the request with 410, a completed or cancelled
 * request is 404, a second verification to a number with one in flight is 409 (unless
 * `concurrent: 'allow'`), and SMS failures come back as HTTP 200 with a per-message status.
 * Error texts quote the number, so an adapter that copies them shows up in tests.
 */

export const VONAGE_APPLICATION_ID = '7c3b4a10-5d1e-4c4f-9a51-0f0e6c2b9d11';
/** The API key the Vonage fake accepts (SMS). */
export const VONAGE_API_KEY = 'abcd1234';
/** The API secret the Vonage fake accepts (SMS). */
export const VONAGE_API_SECRET = 'vs3cr3tApiSecret99';
/** Wrong codes the fake accepts before it ends a request (410 expired). */
export const VONAGE_MAX_CHECKS = 3;

interface VonageRequest {
  id: string;
  /** E.164 digits without '+', or an email address. */
  to: string;
  channel: string;
  code: string;
  status: 'pending' | 'completed' | 'cancelled' | 'failed';
  wrong: number;
  body: Record<string, unknown>;
}

/** The Vonage calls the fake can script. */
export type VonageOp = 'start' | 'check' | 'cancel' | 'sms';

/** A stateful Vonage (Verify v2, SMS) on a fake server; `startVonageFake()` starts one. */
export interface VonageFake {
  server: FakeServer;
  url: string;
  /** A PEM private key whose public half the fake checks JWTs with. */
  privateKey: string;
  requests: Map<string, VonageRequest>;
  /** Texts the SMS API accepted, oldest first (`to` without '+'). */
  messages: { to: string; from: string; text: string; type?: string }[];
  /** The code Vonage "sent" in the last request to `to` ('+' optional). */
  lastCode(to?: string): string | undefined;
  /** The next call to `op` fails as `failure` would at Vonage. */
  failNext(op: VonageOp, failure: ScriptedFailure): void;
  /** The next call to `op` gets this response. */
  answerNext(op: VonageOp, response: ScriptedResponse): void;
  /** The adapters' `baseUrls` option: Vonage's API (Verify) and REST (SMS) origins → this fake. */
  baseUrls: Record<string, string>;
  /** Stops the fake. */
  close(): Promise<void>;
}

const ROUTES: Record<VonageOp, [string, string]> = {
  start: ['POST', '/v2/verify'],
  check: ['POST', '/v2/verify/:id'],
  cancel: ['DELETE', '/v2/verify/:id'],
  sms: ['POST', '/sms/json'],
};

const problem = (status: number, type: string, title: string, detail: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): ScriptedResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...(headers ?? {}) },
  body: { type: `https://www.developer.vonage.com/api-errors${type}`, title, detail, instance: randomUUID(), ...extra },
});

const smsStatus = (status: string, errorText: string): ScriptedResponse => ({
  status: 200,
  body: { 'message-count': '1', messages: [{ status, 'error-text': errorText }] },
});

/** The Vonage answer for a scripted failure; `to` (digits) is quoted like Vonage's texts do. */
export function vonageFailure(op: VonageOp, f: ScriptedFailure, to = '447700900000'): ScriptedResponse {
  const sms = op === 'sms';
  switch (f) {
    case 'invalid_destination':
      return sms
        ? smsStatus('3', `Invalid to address: ${to}`)
        : problem(422, '#invalid-params', 'Invalid params', 'The value of one or more parameters is invalid', {
            invalid_parameters: [{ name: 'to', reason: `Invalid phone number ${to}` }],
          });
    case 'send_limit':
      if (sms) break;
      return problem(409, '/verify#conflict', 'Conflict', `Concurrent verifications to ${to} are not allowed.`, { request_id: randomUUID() });
    case 'blocked':
      if (!sms) break; // Verify v2 reports fraud blocks on the status webhook, not on the start call
      return smsStatus('7', `Number barred: ${to}`);
    case 'channel_unsupported':
      break; // no per-destination channel refusal on either API
    case 'rate_limited':
      return problem(429, '#throttled', 'Rate Limit Hit', 'Please wait, then retry your request', {}, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
    case 'server_error':
      return { status: 500, body: { type: 'https://developer.vonage.com/api-errors#internal-error', title: 'Internal Error' } };
    case 'never_answer':
      return { neverAnswer: true };
    case 'stall_body': {
      // What Vonage would have answered, cut off half-way.
      const ok = {
        start: { status: 202, body: { request_id: randomUUID() } },
        check: { status: 200, body: { request_id: randomUUID(), status: 'completed' } },
        cancel: { status: 200, body: { request_id: randomUUID() } },
        sms: { status: 200, body: { 'message-count': '1', messages: [{ 'message-id': randomBytes(8).toString('hex'), status: '0' }] } },
      }[op];
      return { stallBody: true, ...ok };
    }
    case 'connection_reset':
      return { reset: true };
  }
  throw new Error(`The Vonage fake has no '${f}' answer for ${op}: Vonage does not report it that way.`);
}

/** Checks an RS256 JWT against `publicKey`; returns its claims or null. */
function jwtClaims(header: string | undefined, publicKey: KeyObject): Record<string, unknown> | null {
  const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '');
  if (!m) return null;
  const ok = verifySignature('RSA-SHA256', Buffer.from(`${m[1]}.${m[2]}`), publicKey, Buffer.from(m[3]!, 'base64url'));
  if (!ok) return null;
  try {
    return JSON.parse(Buffer.from(m[2]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Starts a Vonage fake on 127.0.0.1 (a free port). */
export async function startVonageFake(options: { concurrent?: 'reject' | 'allow' } = {}): Promise<VonageFake> {
  const server = await startFakeServer();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const pub = publicKey;
  const requests = new Map<string, VonageRequest>();
  const messages: VonageFake['messages'] = [];
  const basic = `Basic ${Buffer.from(`${VONAGE_API_KEY}:${VONAGE_API_SECRET}`).toString('base64')}`;
  const unauthorized = problem(401, '#unauthorized', 'Unauthorized', 'You did not provide correct credentials.');
  const notFound = (id: string) => problem(404, '#not-found', 'Not Found', `Request ${id} was not found or it has been verified already.`);
  const jwtOk = (h: string | undefined) => jwtClaims(h, pub)?.application_id === VONAGE_APPLICATION_ID;

  server.route('POST', ROUTES.start[1], (req) => {
    if (!jwtOk(req.headers.authorization)) return unauthorized;
    const body = (req.json ?? {}) as { brand?: unknown; workflow?: { channel?: unknown; to?: unknown }[]; code_length?: unknown };
    const first = Array.isArray(body.workflow) ? body.workflow[0] : undefined;
    const to = typeof first?.to === 'string' ? first.to : '';
    const channel = typeof first?.channel === 'string' ? first.channel : '';
    const email = channel === 'email';
    if (!channel || (email ? !/^[^@\s]+@[^@\s]+$/.test(to) : !/^\d{7,15}$/.test(to))) {
      return problem(422, '#invalid-params', 'Invalid params', 'The value of one or more parameters is invalid', { invalid_parameters: [{ name: 'to', reason: `Invalid ${to}` }] });
    }
    if (!email && typeof body.brand !== 'string') {
      return problem(422, '#invalid-params', 'Invalid params', 'Brand is required', { invalid_parameters: [{ name: 'brand', reason: 'Brand is required' }] });
    }
    if (options.concurrent !== 'allow') {
      const open = [...requests.values()].find((r) => r.to === to && r.status === 'pending');
      if (open) return problem(409, '/verify#conflict', 'Conflict', 'Concurrent verifications to the same number are not allowed.', { request_id: open.id });
    }
    const length = typeof body.code_length === 'number' ? body.code_length : 4;
    let code = String(randomInt(0, 10 ** length)).padStart(length, '0');
    if (code === '123456') code = '654321'; // the conformance suite's "wrong" code
    const r: VonageRequest = { id: randomUUID(), to, channel, code, status: 'pending', wrong: 0, body: req.json as Record<string, unknown> };
    requests.set(r.id, r);
    return { status: 202, body: { request_id: r.id } };
  });

  server.route('POST', ROUTES.check[1], (req) => {
    if (!jwtOk(req.headers.authorization)) return unauthorized;
    const id = req.params.id ?? '';
    const r = requests.get(id);
    if (!r || r.status !== 'pending') return r?.status === 'failed' ? problem(410, '/verify#expired', 'Invalid Code', 'Workflow terminated.') : notFound(id);
    const code = (req.json as { code?: unknown } | undefined)?.code;
    if (code === r.code) {
      r.status = 'completed';
      return { status: 200, body: { request_id: r.id, status: 'completed' } };
    }
    r.wrong++;
    if (r.wrong >= VONAGE_MAX_CHECKS) {
      r.status = 'failed';
      return problem(410, '/verify#expired', 'Invalid Code', 'An incorrect code has been provided too many times. Workflow terminated.');
    }
    return problem(400, '/verify#invalid-code', 'Invalid Code', 'The code you provided does not match the expected value.');
  });

  server.route('DELETE', ROUTES.cancel[1], (req) => {
    if (!jwtOk(req.headers.authorization)) return unauthorized;
    const id = req.params.id ?? '';
    const r = requests.get(id);
    if (!r || r.status !== 'pending') return notFound(id);
    r.status = 'cancelled';
    return { status: 204 };
  });

  server.route('POST', ROUTES.sms[1], (req) => {
    if (req.headers.authorization !== basic) return { status: 401, body: { type: 'https://developer.nexmo.com/api-errors#unauthorized', title: 'Unauthorized' } };
    const b = (req.json ?? {}) as { to?: unknown; from?: unknown; text?: unknown; type?: unknown };
    if (typeof b.to !== 'string' || !/^\d{7,15}$/.test(b.to)) return smsStatus('3', `Invalid to address: ${String(b.to)}`);
    if (typeof b.from !== 'string' || b.from === '') return smsStatus('2', 'Missing from param');
    if (typeof b.text !== 'string' || b.text === '') return smsStatus('2', 'Missing text param');
    messages.push({ to: b.to, from: b.from, text: b.text, ...(typeof b.type === 'string' ? { type: b.type } : {}) });
    return {
      status: 200,
      body: {
        'message-count': '1',
        messages: [{ to: b.to, 'message-id': randomBytes(8).toString('hex').toUpperCase(), status: '0', 'remaining-balance': '3.14', 'message-price': '0.0333', network: '23410' }],
      },
    };
  });

  const digits = (to: string) => (to.includes('@') ? to : to.replace(/^\+/, ''));
  return {
    server,
    url: server.url,
    privateKey: pem,
    requests,
    messages,
    lastCode(to) {
      const want = to === undefined ? undefined : digits(to);
      return [...requests.values()].filter((r) => want === undefined || r.to === want).at(-1)?.code;
    },
    failNext(op, failure) {
      server.once(ROUTES[op][0], ROUTES[op][1], vonageFailure(op, failure));
    },
    answerNext(op, response) {
      server.once(ROUTES[op][0], ROUTES[op][1], response);
    },
    baseUrls: { 'https://api.nexmo.com': server.url, 'https://rest.nexmo.com': server.url },
    close: () => server.close(),
  };
}
